"""An SDP answer built from a WebRTC offer: what a browser's setRemoteDescription accepts.

The answer keeps the offer's media sections and mids in order (so BUNDLE lines up), brings its
own ICE credentials and DTLS fingerprint, and takes the DTLS client role (`a=setup:active`), as
OpenAI's answers do. No media ever flows: the one host candidate points at a closed port."""
from __future__ import annotations

import secrets
from typing import Dict, List, Optional

DIRECTION_ANSWERS = {"sendrecv": "sendrecv", "sendonly": "recvonly", "recvonly": "sendonly", "inactive": "inactive"}
# per payload type, the attributes the answer repeats for the codecs it picks
CODEC_ATTRIBUTES = ("rtpmap", "fmtp", "rtcp-fb")
PREFERRED_AUDIO_CODECS = ("opus", "pcmu", "pcma")


class InvalidOffer(ValueError):
    """The body is not an SDP offer the answer can be built from."""


class MediaSection:
    def __init__(self, m_line: str) -> None:
        parts = m_line[2:].split()
        if len(parts) < 3:
            raise InvalidOffer("malformed media line %r" % m_line)
        self.kind, self.port, self.protocol, self.formats = parts[0], parts[1], parts[2], parts[3:]
        self.attributes: List[str] = []

    def attribute(self, name: str) -> Optional[str]:
        return next((a.split(":", 1)[1] if ":" in a else "" for a in self.attributes
                     if a.split(":", 1)[0] == name), None)

    def codec_lines(self, payload_type: str) -> List[str]:
        return [a for a in self.attributes
                if a.split(":", 1)[0] in CODEC_ATTRIBUTES and a.split(":", 1)[1].split(" ", 1)[0] == payload_type]


def parse_offer(offer: str) -> List[MediaSection]:
    lines = [line for line in offer.replace("\r\n", "\n").split("\n") if line]
    if not lines or lines[0] != "v=0":
        raise InvalidOffer("an SDP offer starts with v=0")
    sections: List[MediaSection] = []
    for line in lines[1:]:
        if len(line) < 2 or line[1] != "=":
            raise InvalidOffer("malformed SDP line %r" % line[:40])
        if line.startswith("m="):
            sections.append(MediaSection(line))
        elif line.startswith("a=") and sections:
            sections[-1].attributes.append(line[2:])
    if not sections:
        raise InvalidOffer("the offer has no media section (m= line)")
    for index, section in enumerate(sections):
        if section.attribute("mid") is None:
            raise InvalidOffer("media section %d has no a=mid" % index)
    return sections


def build_answer(offer: str) -> str:
    """The answer to `offer`, with fresh ICE credentials and fingerprint; InvalidOffer if it cannot be answered."""
    sections = parse_offer(offer)
    ice_ufrag, ice_pwd = secrets.token_hex(4), secrets.token_hex(12)
    fingerprint = ":".join("%02X" % b for b in secrets.token_bytes(32))
    accepted = [s for s in sections if s.port != "0" and s.kind in ("audio", "application")]
    lines = ["v=0", "o=- %d 2 IN IP4 127.0.0.1" % secrets.randbits(62), "s=-", "t=0 0"]
    if accepted:
        lines.append("a=group:BUNDLE " + " ".join(str(s.attribute("mid")) for s in accepted))
    lines.append("a=msid-semantic: WMS *")
    for section in sections:
        mid = str(section.attribute("mid"))
        if section not in accepted:   # video and rejected sections are declined, as OpenAI's answer does
            lines += ["m=%s 0 %s %s" % (section.kind, section.protocol, " ".join(section.formats)),
                      "c=IN IP4 0.0.0.0", "a=mid:" + mid, "a=inactive"]
            continue
        formats = _chosen_formats(section)
        lines += ["m=%s 9 %s %s" % (section.kind, section.protocol, " ".join(formats)), "c=IN IP4 0.0.0.0",
                  "a=ice-ufrag:" + ice_ufrag, "a=ice-pwd:" + ice_pwd, "a=fingerprint:sha-256 " + fingerprint,
                  "a=setup:active", "a=mid:" + mid,
                  "a=candidate:1 1 udp 2130706431 127.0.0.1 9 typ host", "a=end-of-candidates"]
        if section.kind == "application":
            lines += ["a=sctp-port:%s" % (section.attribute("sctp-port") or "5000"), "a=max-message-size:262144"]
            continue
        direction = next((a for a in section.attributes if a in DIRECTION_ANSWERS), "sendrecv")
        lines += ["a=" + DIRECTION_ANSWERS[direction], "a=rtcp-mux"]
        for payload_type in formats:
            lines += ["a=" + line for line in section.codec_lines(payload_type)]
    return "\r\n".join(lines) + "\r\n"


def _chosen_formats(section: MediaSection) -> List[str]:
    if section.kind == "application":
        return section.formats
    codecs: Dict[str, str] = {}
    for attribute in section.attributes:
        if attribute.startswith("rtpmap:"):
            payload_type, _, encoding = attribute[len("rtpmap:"):].partition(" ")
            codecs[payload_type] = encoding.split("/", 1)[0].lower()
    for preferred in PREFERRED_AUDIO_CODECS:
        for payload_type in section.formats:
            if codecs.get(payload_type) == preferred:
                return [payload_type]
    return section.formats[:1]

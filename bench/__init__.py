"""`make bench`: this SDK against bare urllib3 + json and the official openai package, on loopback."""

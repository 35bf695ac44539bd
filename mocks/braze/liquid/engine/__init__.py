"""Ruby Liquid 5.4 reimplemented: its tokenizer, strict and lax parsers, tags and render loop."""

"""Ruby's semantics for what a Liquid template handles, as Braze's Rails servers have them.

- `values.py`: the values beyond JSON's (`RubyRange`, drops, `blank`/`empty`, `TimeText`).
- `printing.py`: `to_s` and `inspect`; `encoding.py`: binary text beside UTF-8 text.
- `comparison.py`: truth, `==`, `blank?`, `<` and `<=>`.
- `numbers.py`: text and floats as numbers; `lookups.py`: `.size`, `.first`, `.last`, `[]`.
- `time.py`: `Time.parse` and `Time#strftime` for the `date` filter.
- `sort.py`: `Array#sort` with a block, in glibc's order.
"""

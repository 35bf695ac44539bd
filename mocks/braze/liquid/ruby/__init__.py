"""Ruby's semantics for what a Liquid template handles, as Braze's Rails servers have them.

- `values.py`: the values beyond JSON's (`RubyRange`, drops, `blank`/`empty`, `TimeText`).
- `printing.py`: `to_s` and `inspect`; `encoding.py`: binary text beside UTF-8 text.
- `comparison.py`: truth, `==`, `blank?`, `<` and `<=>`.
- `numbers.py`: text and floats as numbers; `lookups.py`: `.size`, `.first`, `.last`, `[]`.
- `time.py`: Ruby's `Time` (`RubyTime`) for the `date` filter, which `time_parse.py` reads
  (`Liquid::Utils.to_date`, `Time.parse`, over `date_parse.py`'s `Date._parse`) and
  `strftime.py` prints (`Time#strftime`, the `date` filter itself).
- `sort.py`: `Array#sort` with a block, in glibc's order.
"""

"""Ruby's semantics for what a Liquid template handles: values, `Time`, `Array#sort`."""

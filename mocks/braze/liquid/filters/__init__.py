"""Liquid 5's standard filters with Ruby's semantics, as Shopify's `StandardFilters` has them."""

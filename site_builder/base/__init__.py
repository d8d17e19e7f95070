"""What every stage shares: errors as values, OS messages, Vietnamese text rules, worker pools, the build cache.

Imports nothing else of site_builder.
"""

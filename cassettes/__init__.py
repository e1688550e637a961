"""The recorded cassettes, shipped in the wheel as ``payconform.shipped_cassettes`` so that the
replay lane of an installed payconform has something to replay (see README, Cassettes)."""

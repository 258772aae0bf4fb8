"""What pages ask for: cached queries combined with metrics, ready to chart."""

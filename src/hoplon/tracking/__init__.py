"""What do we believe: motion/measurement models, filters, association, fusion, metrics."""

"""Face model training, conversion and evaluation (management commands train_expression and evaluate_faces)."""

"""Recommender evaluation on MovieLens (evaluate_recommender) and the Personalize resource builder."""

"""What funding tells the apps above it, which it may not import."""

from django.dispatch import Signal

# Sent inside the transaction that made awards final (the notice period ended): the projects app opens their
# projects (contract and installments) in that same transaction, so an award never lacks its project.
awards_final = Signal()

"""The contest's life after the forms, one module per step a committee takes:

- `contest_rules`: the protest window and the disagreement thresholds of a competition;
- `finalists`: the administrasi stage's cut into the finalists of the next stage;
- `send_back`: judges who differ too much on a criterion answer it before they can submit (`submit_form`);
- `protests`: provisional results, the sanggahan window, filing and deciding protests, re-scoring;
- `advancement`: declaring results final and the winners entering the parent contest.

The rules themselves are pure functions in `scoring/finalists.py`, `scoring/disagreement.py` and
`scoring/protests.py`; these modules read the store, check who is acting, write, and audit every step in the
same transaction (who, when, old, new, reason), exactly as `data/judging/forms.py` does for scores.
"""

"""The baseline of an orchestrated pipeline's Evaluator: the latest blessed model *other than the candidate*.

TFX's ``LatestBlessedModelStrategy`` returns the blessed Model with the highest id in the store. Run the
whole pipeline twice on the same data and the Trainer is answered from the cache: the candidate is the model
the first run blessed, the strategy hands that very model back as the baseline, the Evaluator's inputs
differ from the first run's (it had no baseline), so it runs again, compares the model with itself, writes a
new blessing, and Pusher pushes the same model as a new version. Measured with
``python -m utils.run_pipeline`` and TFX's strategy: the second run pushed a second, identical version;
the third was answered from the cache.

:class:`LatestBlessedOtherModelStrategy` also reads the candidate (the Trainer's output) and leaves it out:
on a re-run it finds no other blessed model, the Evaluator's inputs equal the first run's, and TFX's cache
answers Evaluator, infra validation and Pusher. On new data the candidate is a new model and the baseline
is the one blessed before it, as with TFX's strategy. (Chapter 05's notebook avoids the same trap by
declaring the course model's Evaluator without a baseline.)
"""

from __future__ import annotations

from tfx import types
from tfx.dsl.components.common import resolver
from tfx.types import standard_artifacts
from tfx.v1 import dsl

CANDIDATE, MODEL, BLESSING = "candidate", "model", "model_blessing"


def latest_blessed_other(candidates, models, blessings):
    """(model, blessing) of the highest-id blessed model not in ``candidates``, or (None, None)."""
    excluded = {artifact.id for artifact in candidates}
    blessing_of = {b.get_int_custom_property("current_model_id"): b for b in blessings
                   if b.get_int_custom_property("blessed") == 1}
    for model in sorted(models, key=lambda m: m.id, reverse=True):
        if model.id not in excluded and model.id in blessing_of:
            return model, blessing_of[model.id]
    return None, None


class LatestBlessedOtherModelStrategy(resolver.ResolverStrategy):
    """Resolve ``model`` and ``model_blessing`` to the latest blessed model that is not ``candidate``."""

    def resolve_artifacts(self, store, input_dict: dict[str, list[types.Artifact]]):
        model, blessing = latest_blessed_other(input_dict.get(CANDIDATE, []), input_dict.get(MODEL, []),
                                               input_dict.get(BLESSING, []))
        return {CANDIDATE: list(input_dict.get(CANDIDATE, [])),
                MODEL: [model] if model is not None else [],
                BLESSING: [blessing] if blessing is not None else []}


def baseline_resolver(candidate_from) -> dsl.Resolver:
    """A Resolver (id 'baseline_resolver') of the latest blessed model other than ``candidate_from``'s."""
    return dsl.Resolver(
        strategy_class=LatestBlessedOtherModelStrategy,
        candidate=candidate_from.outputs["model"],
        model=dsl.Channel(type=standard_artifacts.Model),
        model_blessing=dsl.Channel(type=standard_artifacts.ModelBlessing),
    ).with_id("baseline_resolver")

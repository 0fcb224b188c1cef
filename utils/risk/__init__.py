"""Chapter 10, model risk evaluation: the demos' machinery, one module per risk.

``model_inputs`` reads the course model's inputs and answers; ``preprocessing_bugs`` (bugs), ``attacks``
(adversarial examples), ``scratch`` (models trained outside the pipeline, never blessed), ``membership``
and ``extraction`` (what leaks), ``abstain`` (the worst case and its mitigation). The chapter keeps the
lesson's API calls (TFDV, ``tf.GradientTape``, TFMA) in the notebook; these are the parts around them.
"""

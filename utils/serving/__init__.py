"""The course's model server: TF Serving's REST and gRPC APIs, for machines without Docker or a
``tensorflow_model_server`` binary (``python -m utils.serving --help``).

  flags.py        command line and ModelServerConfig (no TensorFlow import)
  repository.py   folders of numbered versions, version policies, labels, the polling loader
  servable.py     one loaded SavedModel version: signatures, predict/classify/regress, warmup
  json_tensor.py  TF Serving's JSON mapping (row and columnar formats, b64, NaN/Infinity)
  protos.py       status and metadata answers as TF Serving's protos
  rest.py         the REST API (aiohttp)      grpc_service.py  the gRPC API (grpcio)
  server.py       start-up, ports, shutdown   process.py       start and stop a server subprocess
"""

"""The Open Inference Protocol's gRPC service, `inference.GRPCInferenceService`.

`open_inference_grpc_pb2` is generated from the protocol's official `.proto` (a copy is in
`tests/serve/open_inference_grpc.proto`) by `make proto`, and committed: the service then
needs no protobuf compiler to install or build, and `tests/serve/test_grpc_proto.py`
regenerates it and fails if the two ever differ.
"""

from .server import GrpcServer, start_server

__all__ = ["GrpcServer", "start_server"]

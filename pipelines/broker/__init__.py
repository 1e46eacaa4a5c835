"""The local Kafka broker for dev machines and tests: Apache Kafka jars from Maven Central."""

from pipelines.broker.runtime import Broker, BrokerError, BrokerStatus, NodeStatus

__all__ = ["Broker", "BrokerError", "BrokerStatus", "NodeStatus"]

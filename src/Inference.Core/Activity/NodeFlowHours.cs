namespace Inference.Core.Activity;

/// <summary>
/// Flows per (node, clock hour) seen in one ingest batch. An ingest puts one into <c>IngestBatch.Extensions</c>; the store's
/// node-hours extension adds it to <c>node_hours</c>, from which coverage finds the hours a node sent nothing.
/// </summary>
public sealed record NodeFlowHours(IReadOnlyDictionary<(string Node, DateTimeOffset Hour), long> Flows);

using Inference.Core.Flows;
using Inference.Core.Policies;

namespace Inference.Core.Inference.Selectors;

/// <summary>
/// How a workload is selected: the chosen labels, or null when no label set can select it at all.
/// <see cref="AlsoSelects"/> lists the other workloads of its namespace the selector cannot avoid (the visible fallback).
/// </summary>
public sealed record WorkloadSelector(Peer Workload, LabelSelector? Selector, IReadOnlyList<Peer> AlsoSelects, string? Note)
{
    public bool IsExact => Selector is not null && AlsoSelects.Count == 0;
}

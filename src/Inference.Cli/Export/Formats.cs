using Inference.Core.Inference;

namespace Inference.Cli.Export;

internal static class Formats
{
    public static SuggestFormat Parse(string name) => name switch
    {
        "cilium" => SuggestFormat.Cilium,
        "calico-staged" => SuggestFormat.CalicoStaged,
        "kubernetes" => SuggestFormat.Kubernetes,
        _ => throw new CliException($"unknown format '{name}' (kubernetes|cilium|calico-staged)"),
    };
}

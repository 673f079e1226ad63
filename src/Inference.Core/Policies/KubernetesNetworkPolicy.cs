using Inference.Core.Flows;

namespace Inference.Core.Policies;

[Flags]
public enum PolicyTypes : byte
{
    None = 0,
    Ingress = 1,
    Egress = 2,
}

/// <summary>
/// A <c>networking.k8s.io/v1</c> NetworkPolicy as authored (not API-defaulted). Null lists mean "missing";
/// <see cref="EffectiveTypes"/> applies the API server's policyTypes defaulting (semantics 3.3).
/// </summary>
public sealed class KubernetesNetworkPolicy(
    PolicyRef reference,
    SourceLocation location,
    LabelSelector podSelector,
    PolicyTypes? declaredTypes,
    IReadOnlyList<NetworkPolicyRule>? ingress,
    IReadOnlyList<NetworkPolicyRule>? egress) : PolicyBase(reference, location)
{
    public string Namespace => Ref.Namespace!;
    public LabelSelector PodSelector { get; } = podSelector;

    /// <summary>The <c>policyTypes</c> as written; null when omitted or empty.</summary>
    public PolicyTypes? DeclaredTypes { get; } = declaredTypes;

    public IReadOnlyList<NetworkPolicyRule>? Ingress { get; } = ingress;
    public IReadOnlyList<NetworkPolicyRule>? Egress { get; } = egress;

    /// <summary>
    /// Omitted policyTypes: always Ingress, and Egress only when <c>spec.egress</c> has at least one rule
    /// (<c>egress: []</c> serializes away, so it cannot count).
    /// </summary>
    public PolicyTypes EffectiveTypes => DeclaredTypes ?? (PolicyTypes.Ingress | (Egress is { Count: > 0 } ? PolicyTypes.Egress : PolicyTypes.None));
}

/// <summary>One ingress or egress rule. <see cref="Index"/> is its position in the YAML as written.</summary>
public sealed record NetworkPolicyRule(int Index, int Line, IReadOnlyList<NetworkPolicyPeer>? Peers, IReadOnlyList<NetworkPolicyPort>? Ports)
{
    /// <summary>Missing or empty <c>from</c>/<c>to</c>: every peer, external addresses included.</summary>
    public bool AllPeers => Peers is null || Peers.Count == 0;

    /// <summary>Missing or empty <c>ports</c>: every port of every protocol.</summary>
    public bool AllPorts => Ports is null || Ports.Count == 0;
}

/// <summary>
/// A peer. Selectors without <see cref="IpBlock"/>: podSelector alone means the policy's namespace; namespaceSelector
/// alone means all pods of matching namespaces; both together are ANDed. Validation keeps ipBlock alone.
/// </summary>
public sealed record NetworkPolicyPeer(LabelSelector? PodSelector, LabelSelector? NamespaceSelector, IpBlock? IpBlock);

public sealed record IpBlock(string CidrText, IpPrefix Cidr, IReadOnlyList<IpPrefix> Except)
{
    public bool Contains(IpAddressBits address)
    {
        if (!Cidr.Contains(address))
        {
            return false;
        }

        foreach (var e in Except)
        {
            if (e.Contains(address))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>
/// A port entry. <see cref="Protocol"/> is TCP when omitted. Port null: every port of the protocol. A named port
/// is resolved on the destination pod together with the protocol.
/// </summary>
public sealed record NetworkPolicyPort(L4Protocol Protocol, int? Port, string? NamedPort, int? EndPort)
{
    public override string ToString()
    {
        var port = NamedPort ?? (Port is null ? "*" : EndPort is null ? $"{Port}" : $"{Port}-{EndPort}");
        return $"{Protocol.ToWire()}/{port}";
    }
}

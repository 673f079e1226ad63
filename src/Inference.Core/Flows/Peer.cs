using System.Text;

namespace Inference.Core.Flows;

/// <summary>
/// One end of a connection edge: a workload (namespace + owner) or an entity (world, host, ...).
/// Its <see cref="Key"/> is what edges are grouped by; world ends are keyed by IP where known, else by their DNS names.
/// </summary>
public sealed class Peer : IEquatable<Peer>, IComparable<Peer>
{
    // peers key most dictionaries of the suggester and the store: hash the key once, not on every lookup
    private readonly int _hash;

    private Peer(string key, string? ns, string? workload, WorkloadKind? kind, EntityKind? entity, string? ip, IReadOnlyList<string> names, string? name)
    {
        Key = key;
        _hash = StringComparer.Ordinal.GetHashCode(key);
        Namespace = ns;
        Workload = workload;
        WorkloadKind = kind;
        Entity = entity;
        Ip = ip;
        Names = names;
        Name = name;
    }

    public string Key { get; }
    public string? Namespace { get; }
    public string? Workload { get; }
    public WorkloadKind? WorkloadKind { get; }
    public EntityKind? Entity { get; }
    public string? Ip { get; }
    public IReadOnlyList<string> Names { get; }
    public string? Name { get; }
    public bool IsWorkload => WorkloadKind is not null;

    public static Peer ForWorkload(string ns, string workload, WorkloadKind kind) =>
        new($"w|{ns}|{workload}|{kind}", ns, workload, kind, null, null, [], null);

    /// <summary>An entity end. World and private ends carry the IP and/or the DNS names they are known by.</summary>
    public static Peer ForEntity(EntityKind entity, string? ip = null, IEnumerable<string>? names = null, string? name = null)
    {
        var sortedNames = names is null ? [] : names.Where(n => n.Length > 0).Select(NormalizeName).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var key = new StringBuilder("e|").Append(entity.ToWire());
        switch (entity)
        {
            case EntityKind.World or EntityKind.Private:
                // an external peer is keyed by its address; at Calico's default aggregation it has none, then by its names
                key.Append('|').Append(ip ?? "").Append('|');
                if (ip is null)
                {
                    key.AppendJoin(',', sortedNames);
                }

                break;
            case EntityKind.NetworkSet or EntityKind.HostEndpoint:
                key.Append('|').Append(name ?? "");
                break;
            default:
                // host, remote-node, kube-apiserver, ingress, health: one entity each, the address does not matter to a policy
                ip = null;
                break;
        }

        return new Peer(key.ToString(), null, null, null, entity, ip, sortedNames, name);
    }

    /// <summary>DNS names are kept without the trailing dot and in lower case.</summary>
    public static string NormalizeName(string name) => name.TrimEnd('.').ToLowerInvariant();

    /// <summary>The same peer with more DNS names known for it (the key does not change when an IP is known).</summary>
    public Peer WithNames(IEnumerable<string> names) =>
        Entity is EntityKind.World or EntityKind.Private ? ForEntity(Entity.Value, Ip, Names.Concat(names), Name) : this;

    public bool Equals(Peer? other) => other is not null && (ReferenceEquals(this, other) || (_hash == other._hash && string.Equals(Key, other.Key, StringComparison.Ordinal)));
    public override bool Equals(object? obj) => obj is Peer other && Equals(other);
    public override int GetHashCode() => _hash;
    public int CompareTo(Peer? other) => other is null ? 1 : string.CompareOrdinal(Key, other.Key);
    public override string ToString() => IsWorkload ? $"{Namespace}/{Workload} ({WorkloadKind})" : Entity switch
    {
        EntityKind.World or EntityKind.Private => $"{Entity.Value.ToWire()}:{Ip ?? string.Join(',', Names)}",
        EntityKind.NetworkSet or EntityKind.HostEndpoint => $"{Entity.Value.ToWire()}:{Name}",
        _ => Entity!.Value.ToWire(),
    };
}

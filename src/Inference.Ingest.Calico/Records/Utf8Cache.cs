namespace Inference.Ingest.Calico.Records;

/// <summary>
/// Values built once per distinct UTF-8 text (names, label lists, policy traces): a cluster repeats a few hundred of
/// them in every record, so the parser looks them up by bytes instead of allocating. Bounded: cleared when full.
/// </summary>
internal sealed class Utf8Cache<T>(int capacity = 50_000)
{
    private readonly Dictionary<byte[], T> _values = new(Comparer.Instance);

    public bool TryGet(ReadOnlySpan<byte> utf8, out T value) => _values.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(utf8, out value!);

    public void Add(ReadOnlySpan<byte> utf8, T value)
    {
        if (_values.Count >= capacity)
        {
            _values.Clear();
        }

        _values[utf8.ToArray()] = value;
    }

    public T GetOrAdd(ReadOnlySpan<byte> utf8, Func<byte[], T> create)
    {
        var lookup = _values.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.TryGetValue(utf8, out var value))
        {
            return value;
        }

        if (_values.Count >= capacity)
        {
            _values.Clear();
        }

        var key = utf8.ToArray();
        value = create(key);
        _values[key] = value;
        return value;
    }

    private sealed class Comparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly Comparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);
        public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);
        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);
        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }
    }
}

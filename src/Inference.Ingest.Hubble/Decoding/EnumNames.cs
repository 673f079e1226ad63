using System.Reflection;
using Google.Protobuf.Reflection;

namespace Inference.Ingest.Hubble.Decoding;

/// <summary>
/// The proto names of a generated enum's values, read from their <see cref="OriginalNameAttribute"/>: the file
/// descriptor would give the same, but building it loads and JIT-compiles reflection for every message in flow.proto,
/// which costs an import more start-up than decoding thousands of flows.
/// </summary>
internal sealed class ProtoEnumNames<TEnum>
    where TEnum : struct, Enum
{
    private readonly Dictionary<int, string> _names = [];
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _numbers;

    private ProtoEnumNames()
    {
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var field in typeof(TEnum).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var name = field.GetCustomAttribute<OriginalNameAttribute>()?.Name ?? field.Name;
            var number = Convert.ToInt32(field.GetValue(null), System.Globalization.CultureInfo.InvariantCulture);
            _names.TryAdd(number, name);
            numbers.TryAdd(name, number);
        }

        _numbers = numbers.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public static ProtoEnumNames<TEnum> Instance { get; } = new();

    /// <summary>The proto name; an unknown number (proto3 enums are open) keeps its digits.</summary>
    public string Name(int number) =>
        _names.TryGetValue(number, out var name) ? name : number.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The proto name; an unknown number gets the name of the enum's zero value (<c>UNKNOWN_...</c>).</summary>
    public string NameOrUnknown(int number) => _names.TryGetValue(number, out var name) ? name : _names[0];

    /// <summary>The number of an ASCII proto name (as jsonpb prints it, in any case); 0 when unknown.</summary>
    public int Number(ReadOnlySpan<byte> name)
    {
        if (name.Length > 64)
        {
            return 0;
        }

        Span<char> chars = stackalloc char[name.Length];
        for (var i = 0; i < name.Length; i++)
        {
            chars[i] = (char)(name[i] is >= (byte)'a' and <= (byte)'z' ? name[i] - 32 : name[i]);
        }

        return _numbers.TryGetValue(chars, out var number) ? number : 0;
    }
}

/// <summary>Drop reason names for the numeric codes (unknown codes keep their number: proto3 enums are open).</summary>
internal static class DropReasons
{
    public static string Name(int code) => ProtoEnumNames<Cilium.Flow.DropReason>.Instance.Name(code);
}

internal static class LostSources
{
    public static string Name(int code) => ProtoEnumNames<Cilium.Flow.LostEventSource>.Instance.NameOrUnknown(code);
}

internal static class NodeStates
{
    public static string Name(int code) => ProtoEnumNames<Cilium.Relay.NodeState>.Instance.NameOrUnknown(code);
}

internal static class ObservationPoints
{
    public static int Parse(ReadOnlySpan<byte> name) => ProtoEnumNames<Cilium.Flow.TraceObservationPoint>.Instance.Number(name);
}

internal static class HttpPaths
{
    /// <summary>The path of an HTTP URL without query string (query values are user data, not policy).</summary>
    public static string PathOf(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return "";
        }

        if (Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return uri.AbsolutePath;
        }

        var q = url.IndexOfAny(['?', '#']);
        return q < 0 ? url : url[..q];
    }
}

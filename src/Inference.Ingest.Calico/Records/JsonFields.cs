using System.Globalization;
using System.Text.Json;

namespace Inference.Ingest.Calico.Records;

/// <summary>Typed reads that name the field and what was found when a value has the wrong type.</summary>
internal static class JsonFields
{
    public static string String(ref Utf8JsonReader reader, string field) =>
        reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw Wrong(field, "a string", reader.TokenType);

    public static string? NullableString(ref Utf8JsonReader reader, string field) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => reader.GetString(),
        _ => throw Wrong(field, "a string or null", reader.TokenType),
    };

    public static long Long(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value))
        {
            return value;
        }

        throw Wrong(field, "an integer", reader.TokenType);
    }

    /// <summary>protojson writes int64 as strings; Go's encoding/json as numbers. Both are accepted.</summary>
    public static long LongOrString(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType == JsonTokenType.String && long.TryParse(reader.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
        }

        return Long(ref reader, field);
    }

    public static long? NullableLong(ref Utf8JsonReader reader, string field) =>
        reader.TokenType == JsonTokenType.Null ? null : Long(ref reader, field);

    /// <summary>One shared empty list: endpoints are cached by their lists' identity.</summary>
    public static readonly IReadOnlyList<string> None = Array.Empty<string>();

    /// <summary>An array of strings, or null for an empty list.</summary>
    public static IReadOnlyList<string> StringArray(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return None;
        }

        var result = new List<string>();

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Wrong(field, "an array of strings", reader.TokenType);
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            result.Add(String(ref reader, field + "[" + result.Count.ToString(CultureInfo.InvariantCulture) + "]"));
        }

        return result.Count == 0 ? None : result;
    }

    public static RecordException Wrong(string field, string expected, JsonTokenType found) =>
        new($"{field}: expected {expected}, found {Describe(found)}");

    public static RecordException Missing(string field) => new($"{field}: required field missing");

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}

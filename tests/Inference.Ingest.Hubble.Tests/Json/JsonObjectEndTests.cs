using System.Text;
using System.Text.Json;
using Inference.Ingest.Hubble.Json;
using Xunit;

namespace Inference.Ingest.Hubble.Tests.Json;

/// <summary>The structural scan finds exactly the end System.Text.Json finds, whatever strings, escapes and nesting hold.</summary>
public sealed class JsonObjectEndTests
{
    [Fact]
    public void Agrees_with_the_json_reader_on_random_objects_with_escapes_and_brackets_in_strings()
    {
        var random = new Random(20261126);
        for (var i = 0; i < 3000; i++)
        {
            var json = new StringBuilder();
            var prefix = random.Next(0, 70);
            json.Append(' ', prefix);
            WriteObject(json, random, depth: 0);
            json.Append(", \"after\": [1, {\"x\": \"}\"}]}");
            var bytes = Encoding.UTF8.GetBytes(json.ToString());

            var reader = new Utf8JsonReader(bytes.AsSpan(prefix));
            reader.Read();
            reader.Skip();
            Assert.Equal(prefix + (int)reader.BytesConsumed, JsonObjectEnd.Find(bytes, prefix));
        }
    }

    [Theory]
    [InlineData("{\"a\": \"b\"")]
    [InlineData("{\"a\": \"b}")]
    [InlineData("{\"a\": \"b\\\"}")]
    [InlineData("{\"a\": [1, 2}")]
    [InlineData("{")]
    public void An_object_that_is_not_closed_has_no_end(string json) =>
        Assert.Equal(-1, JsonObjectEnd.Find(Encoding.UTF8.GetBytes(json), 0));

    [Fact]
    public void A_backslash_run_across_a_64_byte_boundary_is_followed_exactly()
    {
        for (var run = 1; run <= 6; run++)
        {
            for (var at = 50; at < 80; at++)
            {
                // an even run leaves the next quote closing the string, an odd one escapes it
                var text = new string('a', at) + new string('\\', run * 2) + "\\\"}" + "\"";
                var json = "{\"k\": \"" + text + "}";
                var bytes = Encoding.UTF8.GetBytes(json);
                var reader = new Utf8JsonReader(bytes);
                reader.Read();
                reader.Skip();
                Assert.Equal((int)reader.BytesConsumed, JsonObjectEnd.Find(bytes, 0));
            }
        }
    }

    private static void WriteObject(StringBuilder json, Random random, int depth)
    {
        json.Append('{');
        var fields = random.Next(0, 6);
        for (var f = 0; f < fields; f++)
        {
            json.Append(f == 0 ? "" : ",").Append(Space(random));
            WriteString(json, random);
            json.Append(Space(random)).Append(':').Append(Space(random));
            WriteValue(json, random, depth + 1);
        }

        json.Append(Space(random)).Append('}');
    }

    private static void WriteValue(StringBuilder json, Random random, int depth)
    {
        switch (random.Next(depth > 4 ? 3 : 5))
        {
            case 0: WriteString(json, random); break;
            case 1: json.Append(random.Next(-1000, 100000)); break;
            case 2: json.Append(random.Next(2) == 0 ? "true" : "null"); break;
            case 3: WriteObject(json, random, depth); break;
            default:
                json.Append('[');
                var items = random.Next(0, 5);
                for (var i = 0; i < items; i++)
                {
                    json.Append(i == 0 ? "" : ", ");
                    WriteValue(json, random, depth + 1);
                }

                json.Append(']');
                break;
        }
    }

    private static void WriteString(StringBuilder json, Random random)
    {
        const string plain = "abcdefgh:=./-_0123456789{}[],é ";
        json.Append('"');
        var length = random.Next(0, 90);
        for (var i = 0; i < length; i++)
        {
            switch (random.Next(12))
            {
                case 0: json.Append("\\\""); break;
                case 1: json.Append(new string('\\', 2 * random.Next(1, 5))); break;
                case 2: json.Append("\\u00e9"); break;
                case 3: json.Append("\\n"); break;
                default: json.Append(plain[random.Next(plain.Length)]); break;
            }
        }

        json.Append('"');
    }

    private static string Space(Random random) => random.Next(4) == 0 ? new string(' ', random.Next(1, 4)) : "";
}

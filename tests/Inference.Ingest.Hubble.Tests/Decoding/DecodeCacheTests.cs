using System.Text;
using Inference.Ingest.Hubble.Decoding;
using Inference.Ingest.Hubble.Pipeline;
using Xunit;

namespace Inference.Ingest.Hubble.Tests.Decoding;

/// <summary>The shortcuts on the per-flow path give exactly what the plain way gives.</summary>
public sealed class DecodeCacheTests
{
    [Fact]
    public void Keys_that_share_their_start_middle_and_end_still_get_their_own_values()
    {
        // the direct-mapped table hashes only a few words of a key: these all land in one slot
        var cache = new ByteKeyCache<string>(capacity: 1000);
        var keys = Enumerable.Range(0, 200).Select(i =>
        {
            var key = new byte[64];
            Array.Fill(key, (byte)'x');
            key[20] = (byte)(i % 256);
            key[40] = (byte)(i / 256);
            return key;
        }).ToList();
        foreach (var key in keys)
        {
            Assert.False(cache.TryGet(key, out _));
            cache.Add(key, Convert.ToHexString(key));
        }

        foreach (var key in keys.AsEnumerable().Reverse())
        {
            Assert.True(cache.TryGet(key, out var value));
            Assert.Equal(Convert.ToHexString(key), value);
        }

        Assert.False(cache.TryGet(new byte[64], out _));
    }

    [Fact]
    public void Short_keys_and_a_full_cache_give_the_same_answers_as_a_dictionary()
    {
        var cache = new ByteKeyCache<string>(capacity: 500);
        var random = new Random(7);
        var known = new Dictionary<string, string>();
        for (var i = 0; i < 5000; i++)
        {
            // addresses and short names, many repeating, some empty or one byte long
            var text = random.Next(4) switch
            {
                0 => $"10.{random.Next(2)}.{random.Next(3)}.{random.Next(40)}",
                1 => new string('a', random.Next(3)),
                2 => $"fd00::{random.Next(300):x}",
                _ => $"node-{random.Next(9)}",
            };
            var bytes = Encoding.UTF8.GetBytes(text);
            if (cache.TryGet(bytes, out var value))
            {
                // a cleared cache may forget, never answer wrong
                Assert.Equal(text, value);
                Assert.True(known.ContainsKey(text));
            }
            else
            {
                cache.Add(bytes, text);
                known[text] = text;
            }
        }
    }

    [Theory]
    [InlineData("6c1e7b0e-9b4e-4a5f-8f2e-2b0c3d4e5f60")]
    [InlineData("00000000-0000-0000-0000-000000000001")]
    [InlineData("FFFFFFFF-ABCD-4A5F-8F2E-2B0C3D4E5F60")]
    public void A_uuid_gives_its_128_bits_in_either_case(string uuid)
    {
        var expected = UInt128.Parse(uuid.Replace("-", "", StringComparison.Ordinal), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, DedupeKeys.FromUuid(Encoding.UTF8.GetBytes(uuid)));
        Assert.Equal(expected, DedupeKeys.FromUuid(Encoding.UTF8.GetBytes(uuid.ToLowerInvariant())));
    }

    [Fact]
    public void Every_byte_in_every_digit_position_is_read_as_its_hex_value_or_makes_the_text_no_uuid()
    {
        const string uuid = "6c1e7b0e-9b4e-4a5f-8f2e-2b0c3d4e5f60";
        var digits = Enumerable.Range(0, uuid.Length).Where(i => uuid[i] != '-');
        foreach (var position in digits)
        {
            var text = Encoding.ASCII.GetBytes(uuid);
            var asDigit = "0123456789abcdef".Select(d =>
            {
                text[position] = (byte)d;
                return DedupeKeys.FromUuid(text);
            }).ToList();
            for (var b = 0; b < 256; b++)
            {
                text[position] = (byte)b;
                var key = DedupeKeys.FromUuid(text);
                var hex = Uri.IsHexDigit((char)b) && b < 128;
                if (hex)
                {
                    Assert.Equal(asDigit[Convert.ToInt32(((char)b).ToString(), 16)], key);
                }
                else
                {
                    Assert.DoesNotContain(key, asDigit);
                }
            }
        }

        Assert.Equal(UInt128.Parse("6c1e7b0e9b4e4a5f8f2e2b0c3d4e5f6f", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture),
            DedupeKeys.FromUuid("6c1e7b0e-9b4e-4a5f-8f2e-2b0c3d4e5f6f"u8));
    }

    [Fact]
    public void Distinct_uuids_and_text_that_is_no_uuid_give_distinct_non_zero_keys()
    {
        var keys = Enumerable.Range(0, 10_000).Select(_ => DedupeKeys.FromUuid(Encoding.UTF8.GetBytes(Guid.NewGuid().ToString()))).ToHashSet();
        Assert.Equal(10_000, keys.Count);
        var zero = DedupeKeys.FromUuid("00000000-0000-0000-0000-000000000000"u8);
        var notHex = DedupeKeys.FromUuid("6c1e7b0e-9b4e-4a5f-8f2e-2b0c3d4e5fzz"u8);
        var other = DedupeKeys.FromUuid("flow-42"u8);
        Assert.NotEqual(UInt128.Zero, zero);
        Assert.NotEqual(UInt128.Zero, notHex);
        Assert.NotEqual(notHex, DedupeKeys.FromUuid("6c1e7b0e-9b4e-4a5f-8f2e-2b0c3d4e5fzy"u8));
        Assert.NotEqual(other, DedupeKeys.FromUuid("flow-43"u8));
    }

    [Fact]
    public void Node_hours_count_what_a_dictionary_counts_across_nodes_hours_and_late_events()
    {
        const long hour = 3_600_000_000_000L;
        var counter = new NodeHourCounter();
        var expected = new Dictionary<(string, DateTimeOffset), long>();
        var random = new Random(11);
        // more nodes than the counter's short list, times that step back an hour now and then
        var nodes = Enumerable.Range(0, 20).Select(i => "node-" + i).ToArray();
        var batches = new List<Inference.Core.Activity.NodeFlowHours>();
        var t = 1_700_000_000_000_000_000L;
        for (var i = 0; i < 20_000; i++)
        {
            t += random.Next(1_000_000_000);
            var time = random.Next(50) == 0 ? t - hour : t;
            // a fresh string now and then: equal names need not be the same instance
            var node = random.Next(10) == 0 ? new string(nodes[random.Next(nodes.Length)].AsSpan()) : nodes[random.Next(random.Next(3) == 0 ? 20 : 4)];
            counter.Count(node, time);
            var key = (node, DateTimeOffset.UnixEpoch.AddTicks((time - (time % hour)) / 100));
            expected[key] = expected.GetValueOrDefault(key) + 1;
            if (i % 7000 == 0 && counter.Take() is { } taken)
            {
                batches.Add(taken);
            }
        }

        batches.Add(counter.Take()!);
        Assert.Null(counter.Take());
        var actual = new Dictionary<(string, DateTimeOffset), long>();
        foreach (var (key, count) in batches.SelectMany(b => b.Flows))
        {
            actual[key] = actual.GetValueOrDefault(key) + count;
        }

        Assert.Equal(expected.OrderBy(p => p.Key), actual.OrderBy(p => p.Key));
    }
}

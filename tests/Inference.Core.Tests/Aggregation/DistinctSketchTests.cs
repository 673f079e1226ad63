using CsCheck;
using Inference.Core.Aggregation;
using Inference.Core.Time;

namespace Inference.Core.Tests.Aggregation;

public sealed class DistinctSketchTests
{
    [Fact]
    public void Counts_are_exact_below_the_cap_and_close_beyond_it()
    {
        var small = new DistinctSketch();
        foreach (var i in Enumerable.Range(0, 50))
        {
            small.Add($"pod-{i}");
            small.Add($"pod-{i}");
        }

        Assert.Equal(50, small.Estimate());
        var large = new DistinctSketch();
        foreach (var i in Enumerable.Range(0, 10_000))
        {
            large.Add($"pod-{i}");
        }

        Assert.InRange(large.Estimate(), 7_000, 13_000);
        var roundTrip = DistinctSketch.FromBytes(large.ToBytes());
        Assert.Equal(large.Estimate(), roundTrip.Estimate());
    }

    /// <summary>
    /// Whatever the order, repeats and merges, a sketch keeps exactly the smallest 64 distinct hashes, ascending (what is
    /// stored and merged with later batches).
    /// </summary>
    [Fact]
    public void A_sketch_keeps_the_smallest_distinct_hashes_in_order_whatever_the_order_it_was_given_them()
    {
        // hashes from a narrow range repeat; from a wide one they spill over the cap
        var hashes = Gen.OneOf(Gen.ULong[0, 200], Gen.ULong).Array[0, 300];
        Gen.Select(hashes, hashes).Sample((a, b) =>
        {
            var left = new DistinctSketch();
            foreach (var h in a)
            {
                left.AddHash(h);
            }

            var right = new DistinctSketch();
            foreach (var h in b)
            {
                right.AddHash(h);
            }

            left.Merge(right);
            var expected = a.Concat(b).Distinct().Order().Take(DistinctSketch.Capacity).ToArray();
            var stored = left.ToBytes();
            Assert.Equal(expected, Enumerable.Range(0, stored.Length / 8).Select(i => BitConverter.ToUInt64(stored, i * 8)).ToArray());
            Assert.Equal(stored, DistinctSketch.FromBytes(stored).ToBytes());
            if (expected.Length < DistinctSketch.Capacity)
            {
                Assert.Equal(expected.Length, left.Estimate());
            }
        }, iter: 2000);
    }

    [Fact]
    public void The_same_name_hashes_the_same_whichever_string_instance_carries_it()
    {
        var sketch = new DistinctSketch();
        sketch.Add("frontend-7d9f8-abcde");
        sketch.Add(new string("frontend-7d9f8-abcde".AsSpan()));
        sketch.Add(string.Concat("frontend-", "7d9f8-x"));
        Assert.Equal(2, sketch.Estimate());
        // the stored hash is the stable one (sketches written by earlier versions merge with these)
        var stored = sketch.ToBytes();
        Assert.Equal(new[] { DistinctSketch.Hash("frontend-7d9f8-abcde"), DistinctSketch.Hash("frontend-7d9f8-x") }.Order(),
            [BitConverter.ToUInt64(stored, 0), BitConverter.ToUInt64(stored, 8)]);
    }

    [Theory]
    [InlineData("15s", 15_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("250ms", 250)]
    public void Durations_are_read_as_the_hubble_cli_writes_them(string text, double ms)
    {
        Assert.True(GoDuration.TryParse(text, out var d));
        Assert.Equal(ms, d.TotalMilliseconds);
    }

    [Theory]
    [InlineData("15")]
    [InlineData("5 minutes")]
    [InlineData("")]
    public void Bad_durations_are_rejected(string text) => Assert.False(GoDuration.TryParse(text, out _));
}

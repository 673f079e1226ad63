using Inference.Core.Connections;
using Xunit;

namespace Inference.Core.Tests.Connections;

/// <summary>A key is a duplicate for at least the retention past the newest event time, and forgotten within twice it.</summary>
public sealed class DedupeSetTests
{
    private const long Second = 1_000_000_000L;

    [Fact]
    public void A_key_is_a_duplicate_for_at_least_the_retention_wherever_it_falls_in_a_generation()
    {
        var set = new DedupeSet(TimeSpan.FromSeconds(60));
        // keys added early and late in the first generation, and one just after it rotated
        Assert.True(set.Add(1, 0));
        Assert.True(set.Add(2, 59 * Second));
        Assert.True(set.Add(3, 60 * Second));

        // every one of them is still a duplicate one retention after it was added
        Assert.False(set.Add(1, 59 * Second));
        Assert.False(set.Add(2, 118 * Second));
        Assert.False(set.Add(3, 119 * Second));
    }

    [Fact]
    public void Keys_are_forgotten_within_twice_the_retention_so_memory_follows_the_stream_rate()
    {
        var set = new DedupeSet(TimeSpan.FromSeconds(60));
        for (var i = 1; i <= 1000; i++)
        {
            Assert.True(set.Add((UInt128)i, i * Second / 100));
        }

        // two retentions on, the first keys are new again and the old ones no longer take memory
        Assert.True(set.Add(5000, 121 * Second));
        Assert.True(set.Add(1, 121 * Second));
        Assert.Equal(2, set.Count);
        // zero is no key (the tracker never asks): never remembered, so never a duplicate
        Assert.True(set.Add(0, 121 * Second));
        Assert.True(set.Add(0, 121 * Second));
        Assert.Equal(2, set.Count);
    }

    [Fact]
    public void Many_keys_that_differ_only_in_their_high_or_low_half_are_each_new_once_and_then_duplicates()
    {
        var set = new DedupeSet(TimeSpan.FromSeconds(60));
        var random = new Random(7);
        var keys = Enumerable.Range(1, 50_000).Select(i => new UInt128((ulong)i, 42))
            .Concat(Enumerable.Range(1, 50_000).Select(i => new UInt128(42, (ulong)i << 20)))
            .Concat(Enumerable.Range(0, 50_000).Select(_ => new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64() | 1)))
            .Distinct()
            .ToList();

        // the table grows many times on the way: every key stays findable
        Assert.All(keys, k => Assert.True(set.Add(k, 0)));
        Assert.Equal(keys.Count, set.Count);
        Assert.All(keys, k => Assert.False(set.Add(k, Second)));
        // after one rotation they are in the older generation, and still duplicates
        Assert.True(set.Add(new UInt128(1, 1), 61 * Second));
        Assert.All(keys, k => Assert.False(set.Add(k, 61 * Second)));
    }

    [Fact]
    public void A_jump_of_two_retentions_forgets_both_generations()
    {
        var set = new DedupeSet(TimeSpan.FromSeconds(60));
        Assert.True(set.Add(1, 0));
        Assert.True(set.Add(2, 61 * Second));
        Assert.True(set.Add(3, 500 * Second));
        Assert.Equal(1, set.Count);
        Assert.True(set.Add(2, 500 * Second));
    }
}

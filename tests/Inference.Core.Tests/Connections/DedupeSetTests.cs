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
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(set.Add((UInt128)i, i * Second / 100));
        }

        // two retentions on, the first keys are new again and the old ones no longer take memory
        Assert.True(set.Add(5000, 121 * Second));
        Assert.True(set.Add(0, 121 * Second));
        Assert.Equal(2, set.Count);
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

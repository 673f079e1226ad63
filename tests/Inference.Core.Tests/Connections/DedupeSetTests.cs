using CsCheck;
using Inference.Core.Connections;
using Xunit;

namespace Inference.Core.Tests.Connections;

/// <summary>
/// A key sent again (with its event's time) is a duplicate for at least the retention past the newest event time, and
/// forgotten within twice it, whether its event came in time order or behind the newest one.
/// </summary>
public sealed class DedupeSetTests
{
    private const long Second = 1_000_000_000L;

    [Fact]
    public void A_key_is_a_duplicate_for_at_least_the_retention_wherever_it_falls_in_a_generation()
    {
        var set = new DedupeSet(TimeSpan.FromSeconds(60));
        // keys added early and late in the first generation, and one just after it rotated
        Assert.True(set.Add(1, 0, 0));
        Assert.True(set.Add(2, 59 * Second, 59 * Second));
        Assert.True(set.Add(3, 60 * Second, 60 * Second));

        // every one of them is still a duplicate one retention after it was added
        Assert.False(set.Add(1, 0, 59 * Second));
        Assert.False(set.Add(2, 59 * Second, 118 * Second));
        Assert.False(set.Add(3, 60 * Second, 119 * Second));
    }

    [Fact]
    public void Keys_of_events_behind_the_newest_are_remembered_as_long()
    {
        var set = new DedupeSet(TimeSpan.FromSeconds(60));
        Assert.True(set.Add(1, 10 * Second, 10 * Second));
        // from another node, a little behind; then one with the newest event's very time
        Assert.True(set.Add(2, 9 * Second, 10 * Second));
        Assert.True(set.Add(3, 10 * Second, 10 * Second));
        Assert.Equal(3, set.Count);

        Assert.False(set.Add(2, 9 * Second, 69 * Second));
        Assert.False(set.Add(3, 10 * Second, 69 * Second));
        Assert.False(set.Add(1, 10 * Second, 69 * Second));
        // an event of another time is another event, even with a key seen before: it is not dropped
        Assert.True(set.Add(1, 11 * Second, 69 * Second));
    }

    [Fact]
    public void Keys_are_forgotten_within_twice_the_retention_so_memory_follows_the_stream_rate()
    {
        var set = new DedupeSet(TimeSpan.FromSeconds(60));
        for (var i = 1; i <= 1000; i++)
        {
            // every tenth one behind the newest, as events from another node arrive
            var t = (i * Second / 100) - (i % 10 == 0 ? Second / 20 : 0);
            Assert.True(set.Add((UInt128)i, t, Math.Max(t, i * Second / 100)));
        }

        // two retentions on, the first keys are new again and the old ones no longer take memory
        Assert.True(set.Add(5000, 121 * Second, 121 * Second));
        Assert.True(set.Add(1, Second / 100, 121 * Second));
        Assert.True(set.Add(10, Second / 20, 121 * Second));
        Assert.Equal(3, set.Count);
        // zero is no key (the tracker never asks): never remembered, so never a duplicate
        Assert.True(set.Add(0, 121 * Second, 121 * Second));
        Assert.True(set.Add(0, 121 * Second, 121 * Second));
        Assert.Equal(3, set.Count);
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

        // all at one time: the table grows many times on the way, and every key stays findable
        Assert.All(keys, k => Assert.True(set.Add(k, 0, 0)));
        Assert.Equal(keys.Count, set.Count);
        Assert.All(keys, k => Assert.False(set.Add(k, 0, Second)));
        // one retention on, the generations rotate: they are in the older one, and still duplicates
        Assert.True(set.Add(new UInt128(1, 1), 60 * Second, 60 * Second));
        Assert.All(keys, k => Assert.False(set.Add(k, 0, 60 * Second)));
    }

    [Fact]
    public void A_jump_of_two_retentions_forgets_both_generations()
    {
        var set = new DedupeSet(TimeSpan.FromSeconds(60));
        Assert.True(set.Add(1, 0, 0));
        Assert.True(set.Add(7, 0, 0));
        Assert.True(set.Add(2, 61 * Second, 61 * Second));
        Assert.True(set.Add(3, 500 * Second, 500 * Second));
        Assert.Equal(1, set.Count);
        Assert.True(set.Add(2, 61 * Second, 500 * Second));
        Assert.True(set.Add(7, 0, 500 * Second));
    }

    /// <summary>
    /// Streams as a relay sends them: times mostly rising with some events behind (other nodes), some sharing a time,
    /// and events sent again up to half a retention later (a resume's replay). Exactly the events sent again are dropped.
    /// </summary>
    [Fact]
    public void In_any_stream_exactly_the_events_sent_again_within_the_retention_are_duplicates()
    {
        var step = Gen.Select(Gen.Int[0, 9], Gen.Long[0, 3 * Second], Gen.Int[0, 5]);
        Gen.Select(step.Array[1, 400], Gen.Int[1, 6]).Sample((steps, retentionSeconds) =>
        {
            var retention = retentionSeconds * 10 * Second;
            var set = new DedupeSet(TimeSpan.FromTicks(retention / 100));
            var sent = new List<(UInt128 Key, long TimeNs)>();
            long now = 0;
            UInt128 next = 1;
            foreach (var (kind, delta, back) in steps)
            {
                if (kind < 2 && sent.Count > 0)
                {
                    // an event sent again: one seen at most half a retention before the newest time
                    var recent = sent.Where(s => s.TimeNs >= now - (retention / 2)).ToList();
                    if (recent.Count > 0)
                    {
                        var again = recent[(int)(delta % recent.Count)];
                        Assert.False(set.Add(again.Key, again.TimeNs, now));
                        continue;
                    }
                }

                // a new event: ahead of the newest, at its time, or a little behind it
                var t = kind switch
                {
                    < 6 => now + delta,
                    < 8 => now,
                    _ => now - (back * Second / 10),
                };
                now = Math.Max(now, t);
                var key = next++;
                Assert.True(set.Add(key, t, now));
                sent.Add((key, t));
            }
        }, iter: 2000);
    }
}

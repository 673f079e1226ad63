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

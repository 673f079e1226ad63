using Inference.Core.Activity;

namespace Inference.Core.Tests.Activity;

public sealed class SharedCoverageFinderTests
{
    private const long Hour = SharedCoverageFinder.HourNs;
    private const long Minute = 60_000_000_000L;
    private const long Day = 24 * Hour;

    // a Monday midnight, in ns since the epoch
    private const long Start = 20_409 * Day;

    /// <summary>A source with flows from <paramref name="from"/> to <paramref name="to"/>, every hour of it on each node.</summary>
    private static CoveredTime Source(string name, long from, long to, params string[] nodes)
    {
        var hours = new HashSet<(string, long)>();
        for (var h = from - (from % Hour); h < to; h += Hour)
        {
            foreach (var node in nodes)
            {
                hours.Add((node, h));
            }
        }

        return new CoveredTime(name, "hubble-file", from, to, hours);
    }

    [Fact]
    public void Time_both_hold_from_the_same_nodes_is_found_with_its_nodes()
    {
        var earlier = Source("a.json", Start, Start + 10 * Hour, "node-1", "node-2");
        var run = Source("b.json", Start + 4 * Hour + 30 * Minute, Start + 20 * Hour, "node-2", "node-3");

        var shared = Assert.Single(SharedCoverageFinder.Find(run, [earlier], _ => 0));

        Assert.Equal("a.json", shared.Source);
        Assert.Equal(Start + 4 * Hour + 30 * Minute, shared.FromNs);
        Assert.Equal(Start + 10 * Hour, shared.ToNs);
        Assert.Equal(["node-2"], shared.Nodes);
    }

    [Fact]
    public void The_same_time_on_other_nodes_is_another_cluster_and_not_shared()
    {
        var earlier = Source("cluster-a.json", Start, Start + 10 * Hour, "a-1", "a-2");
        var run = Source("cluster-b.json", Start, Start + 10 * Hour, "b-1", "b-2");

        Assert.Empty(SharedCoverageFinder.Find(run, [earlier], _ => 0));
    }

    [Fact]
    public void An_overlap_inside_the_remembered_end_of_the_earlier_source_is_not_shared()
    {
        var earlier = Source("a.json", Start, Start + 10 * Hour, "node-1");
        var run = Source("b.json", Start + 10 * Hour - 5 * Minute, Start + 20 * Hour, "node-1");

        Assert.Empty(SharedCoverageFinder.Find(run, [earlier], _ => 7 * Minute));
        // beyond what is remembered, the rest of the overlap is shared
        var longer = Source("c.json", Start + 10 * Hour - 30 * Minute, Start + 20 * Hour, "node-1");
        var shared = Assert.Single(SharedCoverageFinder.Find(longer, [earlier], _ => 7 * Minute));
        Assert.Equal(Start + 10 * Hour - 30 * Minute, shared.FromNs);
        Assert.Equal(Start + 10 * Hour - 7 * Minute, shared.ToNs);
    }

    [Fact]
    public void Hours_a_source_has_no_flows_in_between_two_of_its_runs_are_not_shared()
    {
        // the earlier source ran on Monday and again on Friday: its window spans the week, its hours do not
        var monday = Source("relay", Start, Start + 8 * Hour, "node-1");
        var friday = Source("relay", Start + 4 * 24 * Hour, Start + 4 * 24 * Hour + 8 * Hour, "node-1");
        var earlier = monday with { LastNs = friday.LastNs, NodeHours = monday.NodeHours.Union(friday.NodeHours).ToHashSet() };
        var wednesday = Source("wednesday.json", Start + 2 * 24 * Hour, Start + 2 * 24 * Hour + 8 * Hour, "node-1");
        var thursdayToFriday = Source("thu-fri.json", Start + 3 * 24 * Hour, Start + 4 * 24 * Hour + 2 * Hour, "node-1");

        Assert.Empty(SharedCoverageFinder.Find(wednesday, [earlier], _ => 0));
        var shared = Assert.Single(SharedCoverageFinder.Find(thursdayToFriday, [earlier], _ => 0));
        Assert.Equal(Start + 4 * 24 * Hour, shared.FromNs);
        Assert.Equal(Start + 4 * 24 * Hour + 2 * Hour, shared.ToNs);
    }

    [Fact]
    public void Sources_that_end_where_the_run_begins_share_nothing_and_results_are_ordered_by_source()
    {
        var before = Source("z-before.json", Start, Start + 2 * Hour, "node-1");
        var b = Source("b.json", Start + Hour, Start + 6 * Hour, "node-1");
        var a = Source("a.json", Start + Hour, Start + 6 * Hour, "node-1");
        var run = Source("run.json", Start + 2 * Hour, Start + 5 * Hour, "node-1");

        var shared = SharedCoverageFinder.Find(run, [before, b, a], _ => 0);

        Assert.Equal(["a.json", "b.json"], shared.Select(s => s.Source));
    }
}

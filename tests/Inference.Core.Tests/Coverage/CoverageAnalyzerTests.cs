using Inference.Core.Activity;
using Inference.Core.Coverage;
using Inference.Core.Flows;
using static Inference.Core.Tests.Coverage.ActivityBuilder;

namespace Inference.Core.Tests.Coverage;

public sealed class CoverageAnalyzerTests
{
    private static readonly Peer Pg = W("data", "postgres", WorkloadKind.StatefulSet);
    private static readonly Peer Weekly = W("batch", "weekly", WorkloadKind.CronJob);
    private static readonly Peer Nightly = W("batch", "nightly", WorkloadKind.CronJob);

    [Fact]
    public void A_weekly_job_seen_once_in_a_week_is_under_covered_and_covered_over_three_weeks()
    {
        var oneWeek = new ActivityBuilder();
        oneWeek.Every(Edge(W("a", "api"), Pg, 5432), TimeSpan.FromHours(1), Start, TimeSpan.FromDays(7));
        oneWeek.Add(Edge(Weekly, Pg, 5432), Start.AddDays(3).AddHours(3));
        var report = CoverageAnalyzer.Analyze(oneWeek.Build(Start, Start.AddDays(7)));
        var weekly = report.PeriodicFor(Edge(Weekly, Pg, 5432))!;
        Assert.False(weekly.Covered);
        Assert.Equal(1, weekly.Runs);
        Assert.True(report.ForWorkload(Weekly)!.IsUnderCovered);
        Assert.True(report.Cluster.IsUnderCovered);
        Assert.True(report.IsLow);
        Assert.Contains("LOW COVERAGE", report.Headline, StringComparison.Ordinal);

        var threeWeeks = new ActivityBuilder();
        threeWeeks.Every(Edge(Weekly, Pg, 5432), TimeSpan.FromDays(7), Start.AddHours(3), TimeSpan.FromDays(21));
        var later = CoverageAnalyzer.Analyze(threeWeeks.Build(Start, Start.AddDays(21)));
        var rhythm = later.PeriodicFor(Edge(Weekly, Pg, 5432))!;
        Assert.Equal("weekly", rhythm.Period);
        Assert.Equal(3, rhythm.Runs);
        Assert.True(rhythm.Covered);
        Assert.False(later.ForWorkload(Weekly)!.IsUnderCovered);
    }

    [Fact]
    public void A_nightly_job_is_daily_and_covered_only_when_the_window_holds_two_periods()
    {
        var week = new ActivityBuilder().Every(Edge(Nightly, Pg, 5432), TimeSpan.FromDays(1), Start.AddHours(2), TimeSpan.FromDays(7));
        var p = CoverageAnalyzer.Analyze(week.Build(Start, Start.AddDays(7))).PeriodicFor(Edge(Nightly, Pg, 5432))!;
        Assert.Equal(("daily", 7, true), (p.Period, p.Runs, p.Covered));

        var day = new ActivityBuilder().Every(Edge(Nightly, Pg, 5432), TimeSpan.FromDays(1), Start.AddHours(2), TimeSpan.FromHours(30));
        var short_ = CoverageAnalyzer.Analyze(day.Build(Start, Start.AddHours(30))).PeriodicFor(Edge(Nightly, Pg, 5432))!;
        Assert.Equal(2, short_.Runs);
        Assert.False(short_.Covered);
    }

    [Fact]
    public void Hourly_jobs_are_found_and_steady_or_irregular_traffic_is_not_periodic()
    {
        var b = new ActivityBuilder();
        var hourly = Edge(W("a", "sync", WorkloadKind.CronJob), Pg, 5432);
        b.Every(hourly, TimeSpan.FromHours(1), Start.AddMinutes(5), TimeSpan.FromHours(12));
        var busy = Edge(W("a", "api"), Pg, 5432);
        b.Every(busy, TimeSpan.FromSeconds(30), Start, TimeSpan.FromHours(12));
        var sporadic = Edge(W("a", "web"), Pg, 5432);
        foreach (var h in new[] { 0.5, 2.5, 7.1, 8.2, 11.9 })
        {
            b.Add(sporadic, Start.AddHours(h));
        }

        var report = CoverageAnalyzer.Analyze(b.Build(Start, Start.AddHours(12)));
        Assert.Equal("hourly", report.PeriodicFor(hourly)!.Period);
        Assert.True(report.PeriodicFor(hourly)!.Covered);
        Assert.Null(report.PeriodicFor(busy));
        Assert.Null(report.PeriodicFor(sporadic));
    }

    [Fact]
    public void Status_discovery_curve_and_good_turing_estimate()
    {
        var b = new ActivityBuilder();
        var api = W("shop", "api");
        b.Every(Edge(api, Pg, 5432), TimeSpan.FromHours(1), Start, TimeSpan.FromDays(4));
        b.Add(Edge(api, W("shop", "cache"), 6379), Start.AddDays(1).AddHours(5), 3);
        b.Add(Edge(api, W("shop", "new"), 8080), Start.AddDays(3).AddHours(20));
        var window = b.Build(Start, Start.AddDays(4));

        var report = CoverageAnalyzer.Analyze(window);
        var cluster = report.Cluster;
        Assert.Equal(3, cluster.Edges);
        Assert.Equal([1, 1, 0, 1, 0], cluster.Discovery.Select(d => d.NewEdges));
        Assert.Equal(3, cluster.Discovery[^1].TotalEdges);
        Assert.Equal(1, cluster.SeenOnce);
        Assert.Equal(2, cluster.SeenOneDay);
        Assert.Equal(1.0 / cluster.Connections, cluster.NewEdgeChance, 9);
        Assert.Equal(CoverageStatus.Learning, cluster.Status);

        // the same window read with a shorter stable-after: the last new edge is 4 h old, 1 of 3 edges -> Learning; 2 h -> Stable
        Assert.Equal(CoverageStatus.Stable, CoverageAnalyzer.Analyze(window, new CoverageOptions { StableAfter = TimeSpan.FromHours(2) }).Cluster.Status);
        var scope = report.ForWorkload(W("shop", "cache"))!;
        Assert.Equal(CoverageStatus.Stable, scope.Status);
        Assert.Equal(CoverageStatus.Learning, CoverageAnalyzer.Analyze(window, new CoverageOptions { StableAfter = TimeSpan.FromDays(5) }).Cluster.Status);
        Assert.Contains("shorter than", CoverageAnalyzer.Analyze(window, new CoverageOptions { StableAfter = TimeSpan.FromDays(5) }).Cluster.StatusReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Stabilizing_when_few_edges_are_new_lately()
    {
        var b = new ActivityBuilder();
        var api = W("shop", "api");
        for (var i = 0; i < 20; i++)
        {
            b.Every(Edge(api, W("shop", "s" + i), 8000 + i), TimeSpan.FromHours(1), Start, TimeSpan.FromDays(5));
        }

        b.Add(Edge(api, W("shop", "late"), 9999), Start.AddDays(4).AddHours(12));
        var report = CoverageAnalyzer.Analyze(b.Build(Start, Start.AddDays(5)));
        Assert.Equal(CoverageStatus.Stabilizing, report.Cluster.Status);
        Assert.Equal(CoverageStatus.Stable, report.ForWorkload(W("shop", "s3"))!.Status);
        var evidence = report.EvidenceFor(Edge(api, W("shop", "s3"), 8003));
        Assert.Equal(CoverageStatus.Stable, evidence.DestinationStatus);
        Assert.Contains("source shop/api", evidence.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Blind_spots_list_losses_outages_gaps_silent_node_hours_and_dns_blindness()
    {
        var b = new ActivityBuilder();
        var api = W("shop", "api");
        var dns = W("kube-system", "coredns");
        b.Every(Edge(api, dns, 53, L4Protocol.Udp), TimeSpan.FromHours(1), Start, TimeSpan.FromHours(10));
        b.Add(Edge(W("shop", "web"), Peer.ForEntity(EntityKind.World, "198.51.100.7"), 443), Start.AddHours(1));
        b.Add(Edge(W("shop", "seen"), dns, 53, L4Protocol.Udp), Start.AddHours(1));
        var hours = Enumerable.Range(0, 10).Select(h => Start.AddHours(h)).ToHashSet();
        var quiet = hours.Where(h => h < Start.AddHours(3) || h >= Start.AddHours(5)).ToHashSet();
        var inputs = new BlindSpotInputs
        {
            LostEvents = [new LostEvents("relay", "n1", "PERF_EVENT_RING_BUFFER", 42, Start.AddHours(2), Start.AddHours(2))],
            UnavailableNodes = [new NodeOutage("relay", "n2", "NODE_UNAVAILABLE", null, Start.AddHours(3))],
            Gaps = [new ReadGap("relay", null, Start.AddHours(4), Start.AddHours(5), "ring buffer no longer reached back")],
            NodeHours = new Dictionary<string, IReadOnlySet<DateTimeOffset>> { ["n1"] = hours, ["n2"] = quiet },
        };
        var report = CoverageAnalyzer.Analyze(b.Build(Start, Start.AddHours(9).AddMinutes(30), blindSpots: inputs, dnsClients: new HashSet<Peer> { W("shop", "seen") }));

        Assert.Equal(["lost-events", "node-unavailable", "read-gap", "node-silent", "no-dns-visibility", "no-dns-visibility"], report.BlindSpots.Select(s => s.Kind));
        var silent = report.BlindSpots.Single(s => s.Kind == "node-silent");
        Assert.Equal(("n2", Start.AddHours(3), Start.AddHours(5)), (silent.Subject, silent.From, silent.To));
        Assert.Equal(["shop/api (Deployment)", "shop/web (Deployment)"], report.BlindSpots.Where(s => s.Kind == "no-dns-visibility").Select(s => s.Subject));
        Assert.Empty(report.Notes);

        var unrecorded = CoverageAnalyzer.Analyze(b.Build(Start, Start.AddHours(10)));
        Assert.Contains(unrecorded.Notes, n => n.Contains("node_hours", StringComparison.Ordinal));
    }
}

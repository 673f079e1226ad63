using Inference.Core.Activity;
using Inference.Core.Flows;
using Inference.Core.Tests.Coverage;
using static Inference.Core.Tests.Coverage.ActivityBuilder;

namespace Inference.Core.Tests.Anomalies;

/// <summary>A week of varied normal traffic, a nightly job, a weekly job run once, a scan and an exfiltration burst, built directly as activity.</summary>
internal static class SyntheticWeek
{
    public static readonly Peer Scanner = W("shop", "stranger");
    public static readonly Peer Orders = W("payments", "orders");
    public static readonly Peer Nightly = W("batch", "report", WorkloadKind.CronJob);
    public static readonly Peer Weekly = W("batch", "weekly-backup", WorkloadKind.CronJob);
    public static readonly Peer Drop = Peer.ForEntity(EntityKind.World, "203.0.113.50", ["paste-drop.example"]);
    public static readonly DateTimeOffset End = Start.AddDays(7);

    public static (WindowActivity Window, HashSet<EdgeKey> Injected) Build(int seed = 3)
    {
        var rng = new Random(seed);
        var b = new ActivityBuilder();
        var services = new[] { "frontend", "cart", "checkout", "payment", "catalog", "search", "ads", "shipping" }.Select(n => W("shop", n)).ToList();
        var postgres = W("data", "postgres", WorkloadKind.StatefulSet);
        var dns = W("kube-system", "coredns");
        var prometheus = W("monitoring", "prometheus", WorkloadKind.StatefulSet);
        for (var i = 0; i < services.Count; i++)
        {
            // each service calls the next at its own rate, resolves names, and is scraped
            var rate = TimeSpan.FromMinutes(new[] { 5, 10, 30, 60, 180 }[i % 5]);
            b.Every(Edge(services[i], services[(i + 1) % services.Count], 8080 + i), rate, Start.AddMinutes(rng.Next(0, 5)), TimeSpan.FromDays(7));
            b.Every(Edge(services[i], dns, 53, L4Protocol.Udp), TimeSpan.FromMinutes(30 * (1 + (i % 3))), Start.AddMinutes(rng.Next(0, 5)), TimeSpan.FromDays(7));
            b.Every(Edge(prometheus, services[i], 9090), TimeSpan.FromMinutes(30), Start.AddSeconds(15), TimeSpan.FromDays(7));
        }

        b.Every(Edge(Orders, postgres, 5432), TimeSpan.FromMinutes(15), Start, TimeSpan.FromDays(7));
        b.Every(Edge(Orders, dns, 53, L4Protocol.Udp), TimeSpan.FromHours(3), Start, TimeSpan.FromDays(7));
        b.Every(Edge(Nightly, postgres, 5432), TimeSpan.FromDays(1), Start.AddHours(2).AddMinutes(1), TimeSpan.FromDays(7));
        b.Add(Edge(Weekly, postgres, 5432), Start.AddDays(3).AddHours(3));

        var injected = new HashSet<EdgeKey>();
        var scanAt = Start.AddDays(4).AddHours(14).AddMinutes(7);
        var offset = 0;
        foreach (var target in services.Append(postgres).Append(prometheus))
        {
            foreach (var port in new[] { 21, 22, 23, 25, 80, 443, 445, 3306, 5432, 6379, 8443, 9200 })
            {
                var edge = Edge(Scanner, target, port);
                b.Add(edge, scanAt.AddMilliseconds(100 * offset++));
                injected.Add(edge);
            }
        }

        var exfil = Edge(Orders, Drop, 443);
        var exfilAt = Start.AddDays(5).AddHours(1).AddMinutes(30);
        b.Add(exfil, exfilAt, 400, spacing: TimeSpan.FromSeconds(1.5));
        injected.Add(exfil);
        var resolved = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal) { ["paste-drop.example"] = exfilAt.AddSeconds(-1) };
        return (b.Build(Start, End, resolved), injected);
    }
}

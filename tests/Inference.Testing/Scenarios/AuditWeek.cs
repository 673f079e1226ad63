namespace Inference.Testing.Scenarios;

/// <summary>
/// An audit week for coverage and anomaly scoring: <see cref="HubbleWeek"/>'s cluster with busier, more varied normal
/// traffic, its nightly CronJob, a weekly CronJob that runs once in the window, and two injected incidents: a scan (one
/// pod, 12 workloads x 25 ports, within one minute) and an exfiltration-like burst to a domain first resolved that night.
/// </summary>
public sealed class AuditWeek
{
    public const string ScanSourceWorkload = "stranger";
    public const string ExfilDomain = "paste-drop.example";
    public const string ExfilIp = "203.0.113.50";
    public const string WeeklyJob = "weekly-backup";
    public const string NightlyJob = "report";

    public static readonly int[] ScanPorts = [21, 22, 23, 25, 80, 110, 135, 139, 143, 443, 445, 993, 995, 1433, 1521, 3306, 3389, 5432, 5900, 6379, 8080, 8443, 9090, 9200, 27017];

    public static readonly DateTimeOffset ScanAt = HubbleWeek.Start.AddDays(4).AddHours(14).AddMinutes(7);
    public static readonly DateTimeOffset ExfilAt = HubbleWeek.Start.AddDays(5).AddHours(1).AddMinutes(30);
    public static readonly DateTimeOffset WeeklyAt = HubbleWeek.Start.AddDays(3).AddHours(3);

    public required IReadOnlyList<ScenarioConnection> Normal { get; init; }
    public required IReadOnlyList<ScenarioConnection> Scan { get; init; }
    public required IReadOnlyList<ScenarioConnection> Exfiltration { get; init; }
    public required IReadOnlyList<ScenarioConnection> Weekly { get; init; }

    public IEnumerable<ScenarioConnection> All => Normal.Concat(Weekly).Concat(Scan).Concat(Exfiltration);

    public static AuditWeek Build(int seed = 7)
    {
        var rng = new Random(seed);
        var baseWeek = HubbleWeek.Connections(days: 7, seed: seed);
        var normal = baseWeek.ToList();

        // the workloads as HubbleWeek rendered them on the first day (pod names change on rollouts; workloads do not)
        ScenarioEndpoint Find(string workload) => baseWeek.Select(c => c.Destination).Concat(baseWeek.Select(c => c.Source))
            .First(e => e.Workload == workload);
        var frontend = Find("frontend");
        var cart = Find("cart");
        var checkout = Find("checkout");
        var orders = Find("orders");
        var payment = Find("payment");
        var prometheus = Find("prometheus");
        var ingress = Find("ingress-nginx-controller");
        var dns = Find("coredns");
        var postgres = Find("postgres");
        int Port() => 32768 + rng.Next(0, 28000);

        // varied normal rates: a busy call path, daytime user traffic, scrapes of several targets, orders' own lookups
        for (var t = HubbleWeek.Start; t < HubbleWeek.Start.AddDays(7); t = t.AddMinutes(10))
        {
            normal.Add(new(frontend, cart, "TCP", 7070, Port(), t.AddSeconds(rng.Next(0, 60)), "FORWARDED"));
            if (t.Minute == 0 || t.Minute == 30)
            {
                foreach (var target in new[] { cart, checkout, orders })
                {
                    normal.Add(new(prometheus, target, "TCP", 9090, Port(), t.AddSeconds(15), "FORWARDED"));
                }
            }

            if (t.Hour is >= 8 and < 20)
            {
                normal.Add(new(ingress, frontend, "TCP", 8080, Port(), t.AddSeconds(rng.Next(0, 60)), "FORWARDED"));
            }

            if (t.Minute == 0 && t.Hour % 3 == 1)
            {
                normal.Add(new(orders, dns, "UDP", 53, Port(), t.AddSeconds(5), "FORWARDED", "postgres.data.svc.cluster.local.", ["10.96.0.21"]));
            }
        }

        var weeklyJob = ScenarioEndpoint.ForPod("batch", WeeklyJob, "CronJob", $"{WeeklyJob}-29012345-{HubbleWeek.Hash(WeeklyJob, 5)}", "10.0.8.40",
            "app=weekly-backup", $"job-name={WeeklyJob}-29012345", $"batch.kubernetes.io/job-name={WeeklyJob}-29012345", "controller-uid=" + HubbleWeek.Hash(WeeklyJob, 8));
        var weekly = new List<ScenarioConnection> { new(weeklyJob, postgres, "TCP", 5432, 41000, WeeklyAt.AddMinutes(1), "FORWARDED") };

        // the scan: a new pod of an existing workload tries every port on every workload it can see, within one minute
        var scanner = ScenarioEndpoint.ForPod("shop", ScanSourceWorkload, "Deployment", "stranger-7f9c6d5b4-zz9xk", "10.0.7.77", "app=stranger", "pod-template-hash=7f9c6d5b4");
        var targets = new[] { frontend, cart, checkout, orders, payment, prometheus, ingress, dns, postgres, Find("kafka"), Find("redis"), Find("report") };
        var scan = new List<ScenarioConnection>();
        var offset = 0;
        foreach (var target in targets)
        {
            foreach (var port in ScanPorts)
            {
                // 300 probes in 45 s; the policy drops some of them
                scan.Add(new(scanner, target, "TCP", port, 50000 + offset, ScanAt.AddMilliseconds(150 * offset), offset % 7 == 0 ? "DROPPED" : "FORWARDED"));
                offset++;
            }
        }

        // the exfiltration: orders resolves a domain never seen before and opens 400 connections to it within ten minutes
        var drop = ScenarioEndpoint.World(ExfilIp);
        var exfiltration = new List<ScenarioConnection>
        {
            new(orders, dns, "UDP", 53, Port(), ExfilAt, "FORWARDED", ExfilDomain + ".", [ExfilIp]),
        };
        for (var i = 0; i < 400; i++)
        {
            exfiltration.Add(new(orders, drop, "TCP", 443, 33000 + i, ExfilAt.AddSeconds(2 + (i * 1.5)), "FORWARDED"));
        }

        return new AuditWeek { Normal = normal, Scan = scan, Exfiltration = exfiltration, Weekly = weekly };
    }
}

/// <summary>A quieter variant: HubbleWeek's plain traffic with a small scan (5 workloads x 6 ports) straddling a minute boundary.</summary>
public static class SmallScanWeek
{
    public static readonly int[] Ports = [22, 80, 443, 3306, 6379, 8443];
    public static readonly DateTimeOffset At = HubbleWeek.Start.AddDays(3).AddHours(10).AddMinutes(12).AddSeconds(40);

    public static (IReadOnlyList<ScenarioConnection> All, IReadOnlyList<ScenarioConnection> Scan) Build()
    {
        var week = HubbleWeek.Connections(days: 7, seed: 99);
        ScenarioEndpoint Find(string workload) => week.Select(c => c.Destination).First(e => e.Workload == workload);
        var scanner = ScenarioEndpoint.ForPod("payments", "orders", "Deployment", "orders-6b8d9c7f5-abcde", "10.0.6.66", "app=orders", "pod-template-hash=6b8d9c7f5");
        var scan = new List<ScenarioConnection>();
        var i = 0;
        foreach (var target in new[] { "frontend", "cart", "redis", "postgres", "kafka" }.Select(Find))
        {
            foreach (var port in Ports)
            {
                // 30 probes over 30 s, across a minute boundary
                scan.Add(new(scanner, target, "TCP", port, 52000 + i, At.AddSeconds(i), "FORWARDED"));
                i++;
            }
        }

        return (week.Concat(scan).ToList(), scan);
    }
}

using System.Text.Json;
using Inference.Cli;

namespace Inference.Cli.Tests.Evaluate;

public sealed class EvaluateCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("inference-evaluate-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static string Labels(string ns, string pod) =>
        $"[\"k8s:pod={pod}\",\"k8s:io.kubernetes.pod.namespace={ns}\",\"k8s:io.cilium.k8s.namespace.labels.ns={ns}\",\"k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name={ns}\"]";

    private static string Flow(string srcIp, string dstIp, int port, string source, string destination, string proto = "TCP") =>
        "{\"flow\":{\"time\":\"2024-01-01T00:00:00Z\",\"verdict\":\"FORWARDED\",\"IP\":{\"source\":\"" + srcIp + "\",\"destination\":\"" + dstIp +
        "\",\"ipVersion\":\"IPv4\"},\"l4\":{\"" + proto + "\":{\"source_port\":40000,\"destination_port\":" + port +
        "}},\"source\":" + source + ",\"destination\":" + destination + ",\"event_type\":{\"type\":4},\"is_reply\":false},\"node_name\":\"n1\"}";

    private static string Pod(string ns, string pod) => $$"""{"ID":1,"identity":100,"namespace":"{{ns}}","labels":{{Labels(ns, pod)}},"pod_name":"{{pod}}"}""";

    private const string World = """{"identity":2,"labels":["reserved:world"]}""";

    private const string Policies = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: allow-b, namespace: x}
        spec:
          podSelector: {matchLabels: {pod: a}}
          ingress:
          - from:
            - podSelector: {matchLabels: {pod: c}}
          - from:
            - podSelector: {matchLabels: {pod: b}}
            ports:
            - port: serve-80-tcp
        """;

    private const string Cluster = """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: Namespace
          metadata: {name: x, labels: {ns: x}}
        - apiVersion: v1
          kind: Pod
          metadata: {name: a, namespace: x, labels: {pod: a}}
          spec:
            nodeName: n1
            containers:
            - name: c
              ports:
              - {name: serve-80-tcp, containerPort: 80}
          status: {podIP: 10.0.1.1, hostIP: 192.168.0.1}
        - apiVersion: v1
          kind: Pod
          metadata: {name: b, namespace: x, labels: {pod: b}}
          spec: {nodeName: n1, containers: [{name: c}]}
          status: {podIP: 10.0.1.2, hostIP: 192.168.0.1}
        """;

    [Fact]
    public async Task Json_lines_name_the_allowing_rule_or_the_isolating_policies_and_report_bad_lines()
    {
        var policies = Write("policies/np.yaml", Policies);
        var cluster = Write("cluster.yaml", Cluster);
        var flows = Write("flows.json", string.Join("\n",
            Flow("10.0.1.2", "10.0.1.1", 80, Pod("x", "b"), Pod("x", "a")),
            "{not json",
            "",
            Flow("203.0.113.7", "10.0.1.1", 80, World, Pod("x", "a")),
            Flow("10.0.1.2", "10.0.1.1", 81, Pod("x", "b"), Pod("x", "a"))) + "\n");

        var (code, output, error) = await Run("evaluate", "--policies", Path.Combine(_dir, "policies"), "--cluster", cluster, "--flows", flows, "-o", "json");

        Assert.True(code == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal([1, 2, 4, 5], lines.Select(l => l.GetProperty("line").GetInt32()));
        Assert.Equal("allowed", lines[0].GetProperty("verdict").GetString());
        var rule = lines[0].GetProperty("ingress").GetProperty("allowed_by");
        Assert.Equal("x", rule.GetProperty("namespace").GetString());
        Assert.Equal("allow-b", rule.GetProperty("name").GetString());
        Assert.Equal("ingress", rule.GetProperty("direction").GetString());
        Assert.Equal(1, rule.GetProperty("rule").GetInt32());
        Assert.True(lines[0].GetProperty("ingress").GetProperty("isolated").GetBoolean());
        Assert.False(lines[0].GetProperty("egress").GetProperty("isolated").GetBoolean());
        Assert.True(lines[1].TryGetProperty("error", out _));
        Assert.Equal("denied", lines[2].GetProperty("verdict").GetString());
        Assert.Equal("allow-b", lines[2].GetProperty("ingress").GetProperty("isolated_by")[0].GetProperty("name").GetString());
        Assert.Equal("denied", lines[3].GetProperty("verdict").GetString());
    }

    [Fact]
    public async Task IpBlock_switch_changes_pod_address_matching()
    {
        var policies = Write("np.yaml", """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: cidr, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
              ingress:
              - from: [{ipBlock: {cidr: 10.0.1.2/32}}]
            """);
        var cluster = Write("cluster.yaml", Cluster);
        var flows = Write("flows.json", Flow("10.0.1.2", "10.0.1.1", 80, Pod("x", "b"), Pod("x", "a")) + "\n");

        var off = await Run("evaluate", "--policies", policies, "--cluster", cluster, "--flows", flows, "-o", "json");
        var on = await Run("evaluate", "--policies", policies, "--cluster", cluster, "--flows", flows, "-o", "json", "--ipblock-matches-pod-ips");

        Assert.Contains("\"verdict\":\"denied\"", off.Out, StringComparison.Ordinal);
        Assert.Contains("\"verdict\":\"allowed\"", on.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_files_give_errors_with_file_line_and_policy_without_hiding_good_ones()
    {
        Write("policies/good.yaml", Policies);
        var bad = Write("policies/bad.yaml", """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: bad-range, namespace: x}
            spec:
              podSelector: {}
              ingress:
              - ports:
                - port: 90
                  endPort: 80
            ---
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata: {name: calico-one, namespace: x}
            spec: {}
            """);
        Write("policies/broken.yaml", "kind: [unclosed\n");
        var cluster = Write("cluster.yaml", Cluster);
        var flows = Write("flows.json", Flow("10.0.1.2", "10.0.1.1", 80, Pod("x", "b"), Pod("x", "a")) + "\n");

        var (code, output, error) = await Run("evaluate", "--policies", Path.Combine(_dir, "policies"), "--cluster", cluster, "--flows", flows, "-o", "json");

        Assert.Equal(1, code);
        Assert.Contains($"{bad}:9: error: NetworkPolicy x/bad-range:", error, StringComparison.Ordinal);
        Assert.Contains("endPort 80 must be greater than or equal to port 90", error, StringComparison.Ordinal);
        Assert.Contains($"{bad}:11: warning: x/calico-one: skipped kind NetworkPolicy (projectcalico.org/v3)", error, StringComparison.Ordinal);
        Assert.Contains("broken.yaml:1: error: YAML syntax error", error, StringComparison.Ordinal);
        Assert.Contains("\"verdict\":\"allowed\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Table_output_is_the_default()
    {
        var policies = Write("np.yaml", Policies);
        var cluster = Write("cluster.yaml", Cluster);
        var flows = Write("flows.json", Flow("10.0.1.2", "10.0.1.1", 81, Pod("x", "b"), Pod("x", "a")) + "\n");

        var (code, output, _) = await Run("evaluate", "--policies", policies, "--cluster", cluster, "--flows", flows);

        Assert.Equal(0, code);
        Assert.StartsWith("LINE", output, StringComparison.Ordinal);
        Assert.Contains("DENIED", output, StringComparison.Ordinal);
        Assert.Contains("isolated by x/allow-b", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_cluster_the_flow_labels_resolve_the_ends()
    {
        var policies = Write("np.yaml", Policies.Replace("port: serve-80-tcp", "port: 80", StringComparison.Ordinal));
        var flows = Write("flows.json", Flow("10.0.1.2", "10.0.1.1", 80, Pod("x", "b"), Pod("x", "a")) + "\n");

        var (code, output, error) = await Run("evaluate", "--policies", policies, "--flows", flows, "-o", "json", "--db", Path.Combine(_dir, "none.duckdb"));

        Assert.Equal(0, code);
        Assert.Contains("named ports cannot be resolved", error, StringComparison.Ordinal);
        Assert.Contains("\"verdict\":\"allowed\"", output, StringComparison.Ordinal);
    }
}

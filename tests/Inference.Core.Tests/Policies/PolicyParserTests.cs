using Inference.Core.Evaluation.Snapshot;
using Inference.Core.Flows;
using Inference.Core.Policies;

namespace Inference.Core.Tests.Policies;

public sealed class PolicyParserTests
{
    private const string Header = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n";

    [Fact]
    public void Reads_multi_document_and_List_and_records_lines()
    {
        var text = Header + "metadata: {name: one, namespace: x}\nspec: {podSelector: {}}\n---\n" +
                   "apiVersion: v1\nkind: List\nitems:\n- " + Header.Replace("\n", "\n  ", StringComparison.Ordinal) + "metadata: {name: two, namespace: y}\n  spec: {}\n";
        var result = PolicyParser.Parse(text, "p.yaml");
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        Assert.Equal(["one", "two"], result.Policies.Select(p => p.Ref.Name));
        Assert.Equal(1, result.Policies[0].Location.Line);
        Assert.Equal(9, result.Policies[1].Location.Line);
    }

    [Fact]
    public void Reads_JSON_with_tabs()
    {
        var json = "{\n\t\"apiVersion\": \"networking.k8s.io/v1\",\n\t\"kind\": \"NetworkPolicy\",\n\t\"metadata\": {\"name\": \"j\", \"namespace\": \"x\"},\n\t\"spec\": {\"podSelector\": null, \"ingress\": [{\"ports\": [{\"port\": 80, \"endPort\": 90}]}]}\n}\n";
        var result = PolicyParser.Parse(json, "p.json");
        var policy = Assert.IsType<KubernetesNetworkPolicy>(Assert.Single(result.Policies));
        Assert.True(policy.PodSelector.IsEmpty);
        Assert.Equal(new NetworkPolicyPort(L4Protocol.Tcp, 80, null, 90), policy.Ingress![0].Ports![0]);
    }

    [Fact]
    public void Keeps_empty_and_missing_apart()
    {
        var p = Assert.IsType<KubernetesNetworkPolicy>(Assert.Single(PolicyParser.Parse(Header + "metadata: {name: a, namespace: x}\nspec:\n  ingress: []\n", "f").Policies));
        Assert.NotNull(p.Ingress);
        Assert.Empty(p.Ingress!);
        Assert.Null(p.Egress);
        var q = Assert.IsType<KubernetesNetworkPolicy>(Assert.Single(PolicyParser.Parse(Header + "metadata: {name: a, namespace: x}\nspec:\n  ingress:\n  - {}\n  - from: []\n", "f").Policies));
        Assert.True(q.Ingress![0].AllPeers && q.Ingress[0].AllPorts && q.Ingress[1].AllPeers);
    }

    [Theory]
    [InlineData("ingress:\n  - ports: [{port: 90, endPort: 80}]", 6, "endPort 80 must be greater than or equal to port 90")]
    [InlineData("ingress:\n  - ports: [{port: http, endPort: 80}]", 6, "endPort may not be specified when port is a named port")]
    [InlineData("ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/8}\n      podSelector: {}", 7, "may not specify both ipBlock and another peer")]
    [InlineData("ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/16]}", 7, "must be a strict subset of cidr")]
    [InlineData("ingress:\n  - from:\n    - {}", 7, "must specify a peer")]
    [InlineData("ingress:\n  - ports: [{port: 70000}]", 6, "must be between 1 and 65535")]
    [InlineData("ingress:\n  - ports: [{protocol: ICMP}]", 6, "is not TCP, UDP or SCTP")]
    [InlineData("podSelector: {matchExpressions: [{key: a, operator: In}]}", 5, "values must be non-empty")]
    [InlineData("policyTypes: [Ingress, Sideways]", 5, "'Sideways' is not Ingress or Egress")]
    public void Rejects_what_the_API_server_would_reject_with_file_line_and_policy(string spec, int line, string message)
    {
        var text = Header + "metadata: {name: bad, namespace: x}\nspec:\n  " + spec + "\n---\n" + Header + "metadata: {name: good, namespace: x}\nspec: {}\n";
        var result = PolicyParser.Parse(text, "dir/p.yaml");
        var error = Assert.Single(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("dir/p.yaml", error.File);
        Assert.Equal(line, error.Line);
        Assert.Equal("NetworkPolicy x/bad", error.Policy);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal("good", Assert.Single(result.Policies).Ref.Name);
    }

    [Fact]
    public void A_syntax_error_in_one_document_does_not_hide_the_others()
    {
        var text = Header + "metadata: {name: a, namespace: x}\nspec: {}\n---\nkind: [oops\n---\n" + Header + "metadata: {name: c, namespace: x}\nspec: {}\n";
        var result = PolicyParser.Parse(text, "p.yaml");
        Assert.Equal(["a", "c"], result.Policies.Select(p => p.Ref.Name));
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(6, error.Line);
        Assert.StartsWith("YAML syntax error", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_kinds_are_skipped_with_a_warning_naming_file_and_policy()
    {
        var text = "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: gnp}\nspec: {}\n";
        var warning = Assert.Single(PolicyParser.Parse(text, "calico.yaml").Diagnostics);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal("calico.yaml:1: warning: gnp: skipped kind GlobalNetworkPolicy (projectcalico.org/v3): not a supported policy kind", warning.ToString());
    }

    [Fact]
    public void Reads_Cilium_policies()
    {
        const string text = """
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: c, namespace: x}
            specs:
            - endpointSelector: {matchLabels: {'k8s:app': web}}
              egress:
              - toFQDNs: [{matchPattern: '*.example.com'}]
                toPorts: [{ports: [{port: '443', protocol: TCP}], rules: {http: [{method: GET}]}}]
              egressDeny:
              - toEntities: [world]
            - endpointSelector: {}
              ingress: [{}]
            """;
        var result = PolicyParser.Parse(text, "c.yaml");
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        var policy = Assert.IsType<CiliumNetworkPolicy>(Assert.Single(result.Policies));
        Assert.Equal(2, policy.Specs.Count);
        Assert.Equal("web", policy.Specs[0].EndpointSelector!.Selector.MatchLabels["app"]);
        Assert.Equal(443, policy.Specs[0].Egress[0].ToPorts![0].Ports[0].Port);
        Assert.Equal("GET", policy.Specs[0].Egress[0].ToPorts![0].Rules!.Http![0].Method);
        Assert.Equal(["world"], policy.Specs[0].EgressDeny[0].Entities!);
    }

    [Fact]
    public void Cilium_validation_errors()
    {
        const string text = """
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: c, namespace: x}
            spec:
              endpointSelector: {}
              ingressDeny:
              - fromEntities: [planet]
                toPorts: [{ports: [{port: '80'}], rules: {http: [{}]}}]
            """;
        var errors = PolicyParser.Parse(text, "c.yaml").Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.Contains(errors, e => e.Message.Contains("unknown entity 'planet'", StringComparison.Ordinal) && e.Line == 7);
        Assert.Contains(errors, e => e.Message.Contains("L7 rules are not allowed in deny rules", StringComparison.Ordinal));
    }

    [Fact]
    public void Reads_a_kubectl_snapshot()
    {
        const string text = """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Namespace
              metadata: {name: shop, labels: {team: a}}
            - apiVersion: v1
              kind: Pod
              metadata: {name: web-1, namespace: shop, labels: {app: web}}
              spec:
                nodeName: n1
                serviceAccountName: web
                containers:
                - name: c
                  ports: [{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}]
              status:
                hostIP: 192.168.1.1
                podIP: 10.1.0.5
                podIPs: [{ip: 10.1.0.5}, {ip: 'fd00::5'}]
            """;
        var result = ClusterSnapshotParser.Parse(text, "snap.yaml");
        Assert.Empty(result.Diagnostics);
        var pod = Assert.Single(result.Snapshot.Pods);
        Assert.Equal("a", pod.NamespaceLabels["team"]);
        Assert.Equal("shop", pod.NamespaceLabels["kubernetes.io/metadata.name"]);
        Assert.Equal(["10.1.0.5", "fd00::5"], pod.Ips);
        Assert.Equal(L4Protocol.Udp, pod.Ports![1].Protocol);
        Assert.Same(pod, result.Snapshot.Resolve("fd00::5")!.Pod);
        Assert.Equal("n1", result.Snapshot.Resolve("192.168.1.1")!.NodeName);
    }
}

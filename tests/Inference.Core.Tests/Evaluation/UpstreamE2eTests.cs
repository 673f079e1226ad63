using Inference.Core.Flows;
using static Inference.Core.Tests.Evaluation.E2eModel;

namespace Inference.Core.Tests.Evaluation;

/// <summary>
/// Policies and reachability matrices transcribed from kubernetes/kubernetes test/e2e/network/netpol/network_policy.go
/// (the e2e helpers SetSpecIngressRules/SetSpecEgressRules set policyTypes explicitly, so these do too).
/// </summary>
public sealed class UpstreamE2eTests
{
    private const string DenyIngressX = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: deny-ingress, namespace: x}
        spec:
          podSelector: {}
          policyTypes: [Ingress]
          ingress: []
        """;

    [Fact]
    public void Default_deny_ingress()
    {
        AssertMatrix(DenyIngressX, new Reachability().ExpectPeer(null, null, "x", null, false), L4Protocol.Tcp, 80);
    }

    [Fact]
    public void Default_deny_all()
    {
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny-all, namespace: x}
            spec:
              podSelector: {}
              policyTypes: [Ingress, Egress]
            """;
        AssertMatrix(yaml, new Reachability().ExpectPeer(null, null, "x", null, false).ExpectPeer("x", null, null, null, false), L4Protocol.Tcp, 80);
    }

    [Fact]
    public void Allow_traffic_from_pods_within_server_namespace_based_on_PodSelector()
    {
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: x-a-allows-x-b, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
              ingress:
              - from:
                - podSelector: {matchLabels: {pod: b}}
            """;
        AssertMatrix(yaml, new Reachability().ExpectAllIngress("x/a", false).Expect("x/b", "x/a", true), L4Protocol.Tcp, 80);
    }

    [Fact]
    public void Allow_ingress_traffic_for_a_target()
    {
        const string yaml = DenyIngressX + """

            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-all-to-a, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
              ingress:
              - from:
                - podSelector: {}
                  namespaceSelector: {}
            """;
        AssertMatrix(yaml, new Reachability().ExpectAllIngress("x/a", true).ExpectAllIngress("x/b", false).ExpectAllIngress("x/c", false), L4Protocol.Tcp, 80);
    }

    [Fact]
    public void Allow_ingress_from_pods_in_all_namespaces()
    {
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-from-another-ns, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
              ingress:
              - from:
                - namespaceSelector: {matchLabels: {}}
            """;
        AssertMatrix(yaml, new Reachability(), L4Protocol.Tcp, 80);
    }

    [Fact]
    public void Allow_traffic_only_from_a_different_namespace_based_on_NamespaceSelector()
    {
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-client-a-via-ns-selector, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
              ingress:
              - from:
                - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}
            """;
        AssertMatrix(yaml, new Reachability().ExpectPeer("x", null, "x", "a", false).ExpectPeer("z", null, "x", "a", false), L4Protocol.Tcp, 80);
    }

    [Fact]
    public void PodSelector_with_MatchExpressions()
    {
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: x-a-allows-x-b, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
              ingress:
              - from:
                - podSelector:
                    matchExpressions: [{key: pod, operator: In, values: [b]}]
            """;
        AssertMatrix(yaml, new Reachability().ExpectAllIngress("x/a", false).Expect("x/b", "x/a", true), L4Protocol.Tcp, 80);
    }

    [Fact]
    public void NamespaceSelector_with_MatchExpressions()
    {
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-ns-y-match-selector, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
              ingress:
              - from:
                - namespaceSelector:
                    matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [y]}]
            """;
        AssertMatrix(yaml, new Reachability().ExpectPeer("x", null, "x", "a", false).ExpectPeer("z", null, "x", "a", false), L4Protocol.Tcp, 80);
    }

    [Fact]
    public void PodSelector_or_NamespaceSelector()
    {
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-ns-y-match-selector, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
              ingress:
              - from:
                - namespaceSelector:
                    matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [x]}]
                - podSelector: {matchLabels: {pod: b}}
            """;
        AssertMatrix(yaml, new Reachability().Expect("x/c", "x/a", false), L4Protocol.Tcp, 80);
    }

    [Fact]
    public void PodSelector_and_NamespaceSelector()
    {
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-ns-y-podselector-and-nsselector, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
              ingress:
              - from:
                - namespaceSelector:
                    matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [x]}]
                  podSelector: {matchLabels: {pod: b}}
            """;
        AssertMatrix(yaml, new Reachability().ExpectAllIngress("x/a", false).Expect("y/b", "x/a", true).Expect("z/b", "x/a", true), L4Protocol.Tcp, 80);
    }

    [Fact]
    public void Multiple_PodSelectors_and_NamespaceSelectors()
    {
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-ns-y-z-pod-b-c, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
              ingress:
              - from:
                - namespaceSelector:
                    matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [x]}]
                  podSelector:
                    matchExpressions: [{key: pod, operator: In, values: [b, c]}]
            """;
        AssertMatrix(yaml, new Reachability().ExpectPeer("x", null, "x", "a", false).Expect("y/a", "x/a", false).Expect("z/a", "x/a", false), L4Protocol.Tcp, 80);
    }

    [Fact]
    public void Any_PodSelectors()
    {
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-ns-x-pod-b-c, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
              ingress:
              - from:
                - podSelector: {matchLabels: {pod: b}}
                - podSelector: {matchLabels: {pod: c}}
            """;
        AssertMatrix(yaml, new Reachability().ExpectAllIngress("x/a", false).Expect("x/b", "x/a", true).Expect("x/c", "x/a", true), L4Protocol.Tcp, 80);
    }

    [Fact]
    public void Only_from_a_pod_in_a_different_namespace_based_on_PodSelector_and_NamespaceSelector()
    {
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-ns-y-pod-a-via-namespace-pod-selector, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
              ingress:
              - from:
                - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}
                  podSelector: {matchLabels: {pod: a}}
            """;
        AssertMatrix(yaml, new Reachability().ExpectAllIngress("x/a", false).Expect("y/a", "x/a", true), L4Protocol.Tcp, 80);
    }

    private const string AllowPort81FromY = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: allow-client-a-via-ns-selector, namespace: x}
        spec:
          podSelector: {matchLabels: {pod: a}}
          policyTypes: [Ingress]
          ingress:
          - from:
            - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}
            ports:
            - port: 81
              protocol: TCP
        """;

    [Fact]
    public void Ports()
    {
        var allow = new Reachability().ExpectPeer("x", null, "x", "a", false).ExpectPeer("y", null, "x", "a", true).ExpectPeer("z", null, "x", "a", false);
        AssertMatrix(AllowPort81FromY, allow, L4Protocol.Tcp, 81);
    }

    [Fact]
    public void Multiple_stacked_policies_with_overlapping_podSelectors()
    {
        var allow = new Reachability().ExpectPeer("x", null, "x", "a", false).ExpectPeer("y", null, "x", "a", true).ExpectPeer("z", null, "x", "a", false);
        AssertMatrix(AllowPort81FromY, allow, L4Protocol.Tcp, 81);
        AssertMatrix(AllowPort81FromY, new Reachability().ExpectAllIngress("x/a", false), L4Protocol.Tcp, 80);
        const string port80 = """

            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-client-a-via-ns-selector-80, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
              ingress:
              - from:
                - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}
                ports:
                - port: 80
                  protocol: TCP
            """;
        AssertMatrix(AllowPort81FromY + port80, allow, L4Protocol.Tcp, 80);
    }

    [Fact]
    public void Allow_all_policy()
    {
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-all, namespace: x}
            spec:
              podSelector: {matchLabels: {}}
              policyTypes: [Ingress]
              ingress: [{}]
            """;
        AssertMatrix(yaml, new Reachability(), L4Protocol.Tcp, 80);
        AssertMatrix(yaml, new Reachability(), L4Protocol.Tcp, 81);
    }

    [Fact]
    public void Allow_ingress_access_on_one_named_port()
    {
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-all, namespace: x}
            spec:
              podSelector: {}
              policyTypes: [Ingress]
              ingress:
              - ports:
                - port: serve-81-tcp
            """;
        AssertMatrix(yaml, new Reachability(), L4Protocol.Tcp, 81);
        AssertMatrix(yaml, new Reachability().ExpectPeer(null, null, "x", null, false), L4Protocol.Tcp, 80);
    }

    [Fact]
    public void Allow_ingress_access_from_namespace_on_one_named_port()
    {
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-client-a-via-ns-selector-80, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
              ingress:
              - from:
                - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}
                ports:
                - port: serve-80-tcp
                  protocol: TCP
            """;
        AssertMatrix(yaml, new Reachability().ExpectPeer("x", null, "x", "a", false).ExpectPeer("z", null, "x", "a", false), L4Protocol.Tcp, 80);
        AssertMatrix(yaml, new Reachability().ExpectAllIngress("x/a", false), L4Protocol.Tcp, 81);
    }

    [Fact]
    public void Allow_egress_access_on_one_named_port()
    {
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-egress, namespace: x}
            spec:
              podSelector: {}
              policyTypes: [Egress]
              egress:
              - ports:
                - port: serve-80-tcp
            """;
        AssertMatrix(yaml, new Reachability(), L4Protocol.Tcp, 80);
        AssertMatrix(yaml, new Reachability().ExpectPeer("x", null, null, null, false), L4Protocol.Tcp, 81);
    }

    [Fact]
    public void Updated_policy_allow_all_then_deny_all()
    {
        const string allowAll = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-all-mutate-to-deny-all, namespace: x}
            spec:
              podSelector: {}
              policyTypes: [Ingress]
              ingress: [{}]
            """;
        AssertMatrix(allowAll, new Reachability(), L4Protocol.Tcp, 81);
        AssertMatrix(allowAll.Replace("ingress: [{}]", "ingress: []", StringComparison.Ordinal), new Reachability().ExpectPeer(null, null, "x", null, false), L4Protocol.Tcp, 81);
    }

    [Fact]
    public void Allow_ingress_access_from_updated_namespace()
    {
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-client-a-via-ns-selector, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
              ingress:
              - from:
                - namespaceSelector: {matchLabels: {ns2: updated}}
            """;
        AssertMatrix(yaml, new Reachability().ExpectAllIngress("x/a", false), L4Protocol.Tcp, 80);
        var updated = Snapshot(nsLabels: ns => ns == "y"
            ? new Dictionary<string, string> { ["ns"] = ns, ["ns2"] = "updated" }
            : new Dictionary<string, string> { ["ns"] = ns });
        AssertMatrix(yaml, new Reachability().ExpectAllIngress("x/a", false).ExpectPeer("y", null, null, null, true), L4Protocol.Tcp, 80, snapshot: updated);
    }

    [Fact]
    public void Allow_ingress_access_from_updated_pod()
    {
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-client-a-via-pod-selector, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
              ingress:
              - from:
                - podSelector: {matchLabels: {pod: b, pod2: updated}}
            """;
        AssertMatrix(yaml, new Reachability().ExpectAllIngress("x/a", false), L4Protocol.Tcp, 80);
        var updated = Snapshot(podLabels: (ns, p) => ns == "x" && p == "b"
            ? new Dictionary<string, string> { ["pod"] = p, ["pod2"] = "updated" }
            : new Dictionary<string, string> { ["pod"] = p });
        AssertMatrix(yaml, new Reachability().ExpectAllIngress("x/a", false).Expect("x/b", "x/a", true), L4Protocol.Tcp, 80, snapshot: updated);
    }

    [Fact]
    public void Deny_ingress_from_pods_on_other_namespaces()
    {
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny-empty-policy, namespace: x}
            spec:
              podSelector: {}
              policyTypes: [Ingress]
              ingress:
              - from:
                - podSelector: {matchLabels: {}}
            """;
        AssertMatrix(yaml, new Reachability().ExpectPeer("y", null, "x", null, false).ExpectPeer("z", null, "x", null, false), L4Protocol.Tcp, 80);
    }

    [Fact]
    public void Deny_ingress_access_to_updated_pod()
    {
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny-ingress-via-label-selector, namespace: x}
            spec:
              podSelector: {matchLabels: {target: isolated}}
              policyTypes: [Ingress]
            """;
        AssertMatrix(yaml, new Reachability(), L4Protocol.Tcp, 80);
        var updated = Snapshot(podLabels: (ns, p) => ns == "x" && p == "a"
            ? new Dictionary<string, string> { ["pod"] = p, ["target"] = "isolated" }
            : new Dictionary<string, string> { ["pod"] = p });
        AssertMatrix(yaml, new Reachability().ExpectAllIngress("x/a", false), L4Protocol.Tcp, 80, snapshot: updated);
    }

    [Fact]
    public void Deny_egress_from_pods_based_on_PodSelector()
    {
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny-egress-pod-a, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Egress]
            """;
        AssertMatrix(yaml, new Reachability().ExpectAllEgress("x/a", false), L4Protocol.Tcp, 80);
    }

    [Fact]
    public void Deny_egress_from_all_pods_in_a_namespace()
    {
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny-egress-ns-x, namespace: x}
            spec:
              podSelector: {}
              policyTypes: [Egress]
            """;
        AssertMatrix(yaml, new Reachability().ExpectPeer("x", null, null, null, false), L4Protocol.Tcp, 80);
    }

    [Fact]
    public void Ingress_and_Egress_specified_together()
    {
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-client-a-via-pod-selector, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Egress, Ingress]
              ingress:
              - from:
                - podSelector: {matchLabels: {pod: b}}
              egress:
              - ports:
                - port: 80
            """;
        AssertMatrix(yaml, new Reachability().ExpectAllIngress("x/a", false).Expect("x/b", "x/a", true), L4Protocol.Tcp, 80);
        AssertMatrix(yaml, new Reachability().ExpectAllIngress("x/a", false).ExpectAllEgress("x/a", false).Expect("x/b", "x/a", true), L4Protocol.Tcp, 81);
    }

    [Fact]
    public void Denying_egress_on_the_client_side_even_if_the_server_allows_it()
    {
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-to-ns-y-pod-a, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Egress]
              egress:
              - to:
                - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}
                  podSelector: {matchLabels: {pod: a}}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-from-xa-on-ya-match-selector, namespace: y}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
              ingress:
              - from:
                - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: x}}
                  podSelector: {matchLabels: {pod: a}}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-from-xa-on-yb-match-selector, namespace: y}
            spec:
              podSelector: {matchLabels: {pod: b}}
              policyTypes: [Ingress]
              ingress:
              - from:
                - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: x}}
                  podSelector: {matchLabels: {pod: a}}
            """;
        var r = new Reachability()
            .ExpectPeer("x", "a", null, null, false)
            .ExpectPeer(null, null, "y", "a", false)
            .ExpectPeer("x", "a", "y", "a", true)
            .ExpectPeer(null, null, "y", "b", false);
        AssertMatrix(yaml, r, L4Protocol.Tcp, 80);
    }

    [Fact]
    public void Egress_to_a_server_in_a_different_namespace_based_on_PodSelector_and_NamespaceSelector()
    {
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-to-ns-y-pod-a, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Egress]
              egress:
              - to:
                - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}
                  podSelector: {matchLabels: {pod: a}}
            """;
        AssertMatrix(yaml, new Reachability().ExpectAllEgress("x/a", false).Expect("x/a", "y/a", true), L4Protocol.Tcp, 80);
    }

    [Fact]
    public void Ingress_allowing_any_port_on_a_specific_protocol()
    {
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-ingress-by-proto, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
              ingress:
              - ports:
                - protocol: TCP
            """;
        AssertMatrix(yaml, new Reachability(), L4Protocol.Tcp, 80);
        AssertMatrix(yaml, new Reachability().ExpectPeer(null, null, "x", "a", false), L4Protocol.Udp, 80);
    }

    [Fact]
    public void Multiple_ingress_policies_with_allow_all_taking_precedence()
    {
        const string port80 = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-ingress-port-80, namespace: x}
            spec:
              podSelector: {}
              policyTypes: [Ingress]
              ingress:
              - ports: [{port: 80}]
            """;
        AssertMatrix(port80, new Reachability().ExpectPeer(null, null, "x", null, false), L4Protocol.Tcp, 81);
        const string allowAll = port80 + """

            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-ingress, namespace: x}
            spec:
              podSelector: {}
              policyTypes: [Ingress]
              ingress: [{}]
            """;
        AssertMatrix(allowAll, new Reachability(), L4Protocol.Tcp, 81);
    }

    [Fact]
    public void Multiple_egress_policies_with_allow_all_taking_precedence()
    {
        const string port80 = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-egress-port-80, namespace: x}
            spec:
              podSelector: {}
              policyTypes: [Egress]
              egress:
              - ports: [{port: 80}]
            """;
        AssertMatrix(port80, new Reachability().ExpectPeer("x", null, null, null, false), L4Protocol.Tcp, 81);
        const string allowAll = port80 + """

            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-egress, namespace: x}
            spec:
              podSelector: {}
              policyTypes: [Egress]
              egress: [{}]
            """;
        AssertMatrix(allowAll, new Reachability(), L4Protocol.Tcp, 81);
    }

    [Fact]
    public void Egress_access_to_server_in_CIDR_block()
    {
        var yaml = $$$"""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-client-a-via-cidr-egress-rule, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Egress]
              egress:
              - to:
                - ipBlock: {cidr: {{{Ip("y", "b")}}}/32}
            """;
        AssertMatrix(yaml, new Reachability().ExpectAllEgress("x/a", false).Expect("x/a", "y/b", true), L4Protocol.Tcp, 80);
        // with ipBlock limited to cluster-external addresses (Cilium), the pod IP is not matched
        AssertMatrix(yaml, new Reachability().ExpectAllEgress("x/a", false), L4Protocol.Tcp, 80, ipBlockMatchesPods: false);
    }

    private static string ExceptPolicy => $$$"""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: allow-client-a-via-cidr-egress-rule, namespace: x}
        spec:
          podSelector: {matchLabels: {pod: a}}
          policyTypes: [Egress]
          egress:
          - to:
            - ipBlock:
                cidr: 0.0.0.0/4
                except: [{{{Ip("x", "b")}}}/32]
        """;

    [Fact]
    public void Except_clause_while_egress_access_to_server_in_CIDR_block()
    {
        // makeLargeCIDRForIP builds the canonical /4 around the pod IP: 10.0.0.0/4 is 0.0.0.0/4
        AssertMatrix(ExceptPolicy, new Reachability().Expect("x/a", "x/b", false), L4Protocol.Tcp, 80);
    }

    [Fact]
    public void IP_overlapping_both_IPBlock_CIDR_and_IPBlock_Except_is_allowed()
    {
        AssertMatrix(ExceptPolicy, new Reachability().Expect("x/a", "x/b", false), L4Protocol.Tcp, 80);
        // the update replaces the policy (same name) by one allowing only x/b's /32
        var replaced = ExceptPolicy + $$$"""

            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-client-a-via-cidr-egress-rule, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Egress]
              egress:
              - to:
                - ipBlock: {cidr: {{{Ip("x", "b")}}}/32}
            """;
        AssertMatrix(replaced, new Reachability().ExpectAllEgress("x/a", false).Expect("x/a", "x/b", true), L4Protocol.Tcp, 80);
        // and as two policies, the /32 allows what the other's except left out
        var both = ExceptPolicy + replaced[ExceptPolicy.Length..].Replace("name: allow-client-a-via-cidr-egress-rule", "name: allow-b", StringComparison.Ordinal);
        AssertMatrix(both, new Reachability(), L4Protocol.Tcp, 80);
    }

    [Fact]
    public void Ingress_and_egress_controlled_independently_based_on_PodSelector()
    {
        const string egress = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-egress-for-target, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Egress]
              egress: [{}]
            """;
        AssertMatrix(egress, new Reachability(), L4Protocol.Tcp, 80);
        const string both = egress + """

            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny-ingress-via-label-selector, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
            """;
        AssertMatrix(both, new Reachability().ExpectAllIngress("x/a", false), L4Protocol.Tcp, 80);
    }

    [Fact]
    public void SCTP_is_never_treated_as_TCP()
    {
        const string yaml = DenyIngressX + """

            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-only-sctp-ingress-on-port-81, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
              ingress:
              - ports:
                - port: 81
                  protocol: SCTP
            """;
        AssertMatrix(yaml, new Reachability().ExpectPeer(null, null, "x", null, false), L4Protocol.Tcp, 81);
        AssertMatrix(yaml, new Reachability().ExpectPeer(null, null, "x", null, false).ExpectAllIngress("x/a", true), L4Protocol.Sctp, 81);
    }

    [Fact]
    public void Isolates_pods_selected_by_a_policy_allowing_SCTP()
    {
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-only-sctp-ingress-on-port-80, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
              ingress:
              - ports: [{port: 80, protocol: SCTP}]
            """;
        AssertMatrix(yaml, new Reachability().ExpectAllIngress("x/a", false), L4Protocol.Tcp, 81);
    }

    [Fact]
    public void Protocol_specific_UDP_and_SCTP_rules()
    {
        const string udp = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-only-udp-ingress-on-port-81, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
              ingress:
              - ports: [{port: 81, protocol: UDP}]
            """;
        AssertMatrix(udp, new Reachability().ExpectAllIngress("x/a", false), L4Protocol.Udp, 80);
        AssertMatrix(udp, new Reachability(), L4Protocol.Udp, 81);
        AssertMatrix(udp, new Reachability().ExpectAllIngress("x/a", false), L4Protocol.Tcp, 81);
    }

    [Fact]
    public void EndPort_range()
    {
        // e2e "should support allow-all policy" variant with port ranges (KEP-2079): 80..81 inclusive
        const string yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-range, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
              ingress:
              - ports: [{port: 80, endPort: 81, protocol: TCP}]
            """;
        AssertMatrix(yaml, new Reachability(), L4Protocol.Tcp, 80);
        AssertMatrix(yaml, new Reachability(), L4Protocol.Tcp, 81);
        AssertMatrix(yaml, new Reachability().ExpectAllIngress("x/a", false), L4Protocol.Udp, 81);
        AssertMatrix(yaml.Replace("endPort: 81", "endPort: 80", StringComparison.Ordinal), new Reachability().ExpectAllIngress("x/a", false), L4Protocol.Tcp, 81);
    }
}

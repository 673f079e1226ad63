namespace Inference.Testing.Scenarios;

/// <summary>
/// Deployed policies for <see cref="HubbleWeek"/>'s cluster, written the way teams get them wrong: the postgres policy
/// forgets the nightly report CronJob, the frontend policy forgets the Prometheus scrape, frontend may send anywhere
/// (all egress), redis takes clients from any namespace, cart carries a dead rule and a DNS rule nobody uses, and a
/// policy for a retired namespace selects nothing. The ground truth a diff must reproduce is spelled out below.
/// </summary>
public static class DeployedPolicyWeek
{
    /// <summary>The two observed connections the files deny: the nightly job and the metrics scrape.</summary>
    public static readonly IReadOnlyList<(string Source, string Destination, string Port)> WouldBreak =
    [
        ("batch/report (CronJob)", "data/postgres (StatefulSet)", "TCP/5432"),
        ("monitoring/prometheus (StatefulSet)", "shop/frontend (Deployment)", "TCP/9090"),
    ];

    public const string Shop = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: default-deny
          namespace: shop
        spec:
          podSelector: {}
          policyTypes: [Ingress, Egress]
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: frontend
          namespace: shop
        spec:
          podSelector:
            matchLabels:
              app.kubernetes.io/name: frontend
          policyTypes: [Ingress, Egress]
          ingress:
            - from:
                - namespaceSelector:
                    matchLabels:
                      kubernetes.io/metadata.name: ingress-nginx
              ports:
                - port: 8080
          egress:
            - {}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: cart
          namespace: shop
        spec:
          podSelector:
            matchLabels:
              app.kubernetes.io/name: cart
          policyTypes: [Ingress, Egress]
          ingress:
            - from:
                - podSelector:
                    matchLabels:
                      app.kubernetes.io/name: frontend
              ports:
                - port: 7070
            - from:
                - podSelector:
                    matchLabels:
                      app: legacy-cart
              ports:
                - port: 7071
          egress:
            - to:
                - podSelector:
                    matchLabels:
                      app: redis
              ports:
                - port: 6379
            - to:
                - namespaceSelector:
                    matchLabels:
                      kubernetes.io/metadata.name: kube-system
                  podSelector:
                    matchLabels:
                      k8s-app: kube-dns
              ports:
                - port: 53
                  protocol: UDP
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: checkout
          namespace: shop
        spec:
          podSelector:
            matchLabels:
              app.kubernetes.io/name: checkout
          policyTypes: [Ingress, Egress]
          ingress:
            - from:
                - podSelector:
                    matchLabels:
                      app.kubernetes.io/name: frontend
              ports:
                - port: 5050
          egress:
            - to:
                - namespaceSelector:
                    matchLabels:
                      kubernetes.io/metadata.name: payments
                  podSelector:
                    matchLabels:
                      app: payment
              ports:
                - port: 50051
            - to:
                - namespaceSelector:
                    matchLabels:
                      kubernetes.io/metadata.name: payments
                  podSelector:
                    matchLabels:
                      app: orders
              ports:
                - port: 8080
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: redis
          namespace: shop
        spec:
          podSelector:
            matchLabels:
              app: redis
          policyTypes: [Ingress]
          ingress:
            - from:
                - namespaceSelector: {}
              ports:
                - port: 6379
        """;

    public const string Data = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: postgres
          namespace: data
        spec:
          podSelector:
            matchLabels:
              app.kubernetes.io/name: postgres
          policyTypes: [Ingress]
          ingress:
            - from:
                - namespaceSelector:
                    matchLabels:
                      kubernetes.io/metadata.name: payments
                  podSelector:
                    matchLabels:
                      app: orders
              ports:
                - port: 5432
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: kafka
          namespace: data
        spec:
          podSelector:
            matchLabels:
              app.kubernetes.io/name: kafka
          policyTypes: [Ingress]
          ingress:
            - from:
                - namespaceSelector:
                    matchLabels:
                      kubernetes.io/metadata.name: payments
              ports:
                - port: 9092
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: retired
          namespace: legacy
        spec:
          podSelector:
            matchLabels:
              app: old
          ingress:
            - from:
                - podSelector: {}
        """;

    /// <summary>A file with one broken policy (an ipBlock without cidr) next to a good one: the good one must still load.</summary>
    public const string Broken = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: broken
          namespace: shop
        spec:
          podSelector: {}
          ingress:
            - from:
                - ipBlock: {}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: payments-open
          namespace: payments
        spec:
          podSelector: {}
          policyTypes: [Egress]
          egress:
            - {}
        """;

    /// <summary>Two days of the week (enough for the nightly job twice and every steady edge).</summary>
    public static IReadOnlyList<ScenarioConnection> Connections() => HubbleWeek.Connections(days: 2);
}

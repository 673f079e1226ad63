using Inference.Cli.Serve;
using Inference.Core.Evaluation;
using Inference.Core.Flows;
using Inference.Core.Policies;
using Inference.Testing;
using YamlDotNet.RepresentationModel;

namespace Inference.Cli.Tests.Pipelines;

/// <summary>
/// The manifests in pipelines/ are what users apply: serve's must carry a configuration serve accepts, keep the page on
/// loopback and the store on the volume, and its NetworkPolicy must let the pod reach DNS and the relay and nothing else.
/// </summary>
public sealed class KubernetesManifestTests : IDisposable
{
    private static readonly string Pipelines = Path.Combine(TestPaths.RepoRoot, "pipelines");
    private static readonly string ServeManifest = Path.Combine(Pipelines, "kubernetes", "inference-serve.yaml");
    private readonly TempDirectory _dir = new("inference-manifests-");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Serve_gets_a_configuration_it_accepts_with_the_page_on_loopback_and_the_store_on_the_volume()
    {
        var documents = Documents(ServeManifest);
        var configMap = documents.Single(d => Scalar(d, "kind") == "ConfigMap");
        var config = _dir.File("inference.yaml");
        File.WriteAllText(config, Scalar(Map(configMap, "data"), "inference.yaml"));
        var options = ServeConfiguration.Load(config, new Dictionary<string, string?>());

        Assert.StartsWith("127.0.0.1:", options.Listen, StringComparison.Ordinal);
        Assert.NotEmpty(options.Relays);

        var statefulSet = documents.Single(d => Scalar(d, "kind") == "StatefulSet");
        var spec = Map(statefulSet, "spec");
        Assert.Equal("1", Scalar(spec, "replicas"));
        var pod = Map(Map(spec, "template"), "spec");
        var container = (YamlMappingNode)Seq(pod, "containers").Single();
        var args = Seq(container, "args").Select(a => ((YamlScalarNode)a).Value).ToList();
        Assert.Equal(["serve", "--config"], args.Take(2));
        var mounts = Seq(container, "volumeMounts").Cast<YamlMappingNode>().ToDictionary(m => Scalar(m, "name"), m => Scalar(m, "mountPath"));
        Assert.Equal(Path.Combine(mounts["config"], "inference.yaml"), args[2]);
        Assert.Equal(mounts["data"], Path.GetDirectoryName(options.Db));
        // SIGTERM gives serve its whole shutdown time to flush and commit
        Assert.True(double.Parse(Scalar(pod, "terminationGracePeriodSeconds"), System.Globalization.CultureInfo.InvariantCulture) > options.ShutdownSeconds);
    }

    [Fact]
    public void The_serve_pod_may_reach_dns_and_the_relay_and_nothing_else()
    {
        var parsed = PolicyParser.Parse(File.ReadAllText(ServeManifest), ServeManifest);
        Assert.False(parsed.HasErrors, string.Join("\n", parsed.Diagnostics));
        var evaluator = new PolicyEvaluator(PolicySet.Create(parsed.Policies));
        var inference = Pod("inference", "inference-0", ("app.kubernetes.io/name", "inference"));
        var dns = Pod("kube-system", "coredns-1", ("k8s-app", "kube-dns"));
        var relay = Pod("kube-system", "hubble-relay-1", ("k8s-app", "hubble-relay"));
        var other = Pod("default", "web-1", ("app", "web"));

        bool Allowed(PodEndpoint from, PodEndpoint to, L4Protocol protocol, int port) =>
            evaluator.Evaluate(new ConnectionProbe(ConnectionEnd.ForPod(from), ConnectionEnd.ForPod(to), protocol, port)).Allowed;

        Assert.True(Allowed(inference, dns, L4Protocol.Udp, 53));
        Assert.True(Allowed(inference, dns, L4Protocol.Tcp, 53));
        Assert.True(Allowed(inference, relay, L4Protocol.Tcp, 4245));
        Assert.False(Allowed(inference, relay, L4Protocol.Tcp, 4244));
        Assert.False(Allowed(inference, other, L4Protocol.Tcp, 443));
        Assert.False(Allowed(inference, Pod("default", "fake-dns", ("k8s-app", "kube-dns")), L4Protocol.Udp, 53));
        Assert.False(Allowed(other, inference, L4Protocol.Tcp, 8080));
        Assert.False(Allowed(relay, inference, L4Protocol.Tcp, 8080));
    }

    [Fact]
    public void Every_pipeline_manifest_that_refuses_root_names_the_user_it_runs_as()
    {
        // the image starts as root: runAsNonRoot alone makes the kubelet refuse to start the container
        var checkedContexts = 0;
        foreach (var file in Directory.EnumerateFiles(Pipelines, "*.yaml", SearchOption.AllDirectories))
        {
            foreach (var document in Documents(file).Where(d => Scalar(d, "kind") is "Deployment" or "StatefulSet" or "DaemonSet"))
            {
                var pod = Map(Map(Map(document, "spec"), "template"), "spec");
                var podContext = pod.Children.TryGetValue("securityContext", out var p) ? (YamlMappingNode)p : null;
                foreach (var container in Seq(pod, "containers").Cast<YamlMappingNode>())
                {
                    var context = container.Children.TryGetValue("securityContext", out var c) ? (YamlMappingNode)c : null;
                    var nonRoot = Setting(context, "runAsNonRoot") ?? Setting(podContext, "runAsNonRoot");
                    if (nonRoot == "true")
                    {
                        checkedContexts++;
                        var user = Setting(context, "runAsUser") ?? Setting(podContext, "runAsUser");
                        Assert.True(user is not null && user != "0", $"{Path.GetRelativePath(Pipelines, file)}: container {Scalar(container, "name")} sets runAsNonRoot without a runAsUser");
                    }
                }
            }
        }

        Assert.True(checkedContexts >= 2);
    }

    private static PodEndpoint Pod(string ns, string name, params (string Key, string Value)[] labels) =>
        new(ns, name, labels.ToDictionary(l => l.Key, l => l.Value), new Dictionary<string, string>());

    private static List<YamlMappingNode> Documents(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(file);
        stream.Load(reader);
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node.Children[new YamlScalarNode(key)];

    private static YamlSequenceNode Seq(YamlMappingNode node, string key) => (YamlSequenceNode)node.Children[new YamlScalarNode(key)];

    private static string Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value ?? "" : "";

    private static string? Setting(YamlMappingNode? node, string key) =>
        node is not null && node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;
}

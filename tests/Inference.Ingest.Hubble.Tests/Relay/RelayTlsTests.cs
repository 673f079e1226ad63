using Inference.Ingest.Hubble.Relay;
using Inference.Testing;

namespace Inference.Ingest.Hubble.Tests.Relay;

public sealed class RelayTlsTests : IDisposable
{
    private readonly TempDirectory _dir = new("inference-tls-");
    private readonly TestPki _pki;

    public RelayTlsTests() => _pki = TestPki.Create(_dir.FullName);

    public void Dispose()
    {
        _pki.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Tls_with_a_custom_ca_and_server_name_streams_flows()
    {
        await using var relay = await TestRelay.StartAsync(new TestRelayOptions
        {
            Responses = Fixtures.Conversation(10),
            Tls = new TestRelayTls { ServerCertificate = _pki.Server },
        });
        var db = _dir.File("tls.duckdb");
        var options = RelayTestRun.Options(relay.Address) with { Tls = true, TlsCaCertFiles = [_pki.CaPemFile], TlsServerName = _pki.ServerName };

        var (summary, log) = await RelayTestRun.FollowAsync(db, options);

        Assert.True(10 == summary.Connections, log.Text);
        Assert.Single(relay.Requests);
        Assert.DoesNotContain(log.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.Equal(10, RelayTestRun.Edges(db).Sum(e => e.Connections));
    }

    [Fact]
    public async Task Tls_without_the_server_name_or_the_ca_is_refused_and_stores_nothing()
    {
        await using var relay = await TestRelay.StartAsync(new TestRelayOptions
        {
            Responses = Fixtures.Conversation(10),
            Tls = new TestRelayTls { ServerCertificate = _pki.Server },
        });

        // the certificate is for instance.hubble-relay.cilium.io, not 127.0.0.1
        var noName = RelayTestRun.Options(relay.Address, TimeSpan.FromSeconds(1.5)) with { Tls = true, TlsCaCertFiles = [_pki.CaPemFile] };
        var refused = await Assert.ThrowsAsync<RelayException>(() => RelayTestRun.FollowAsync(_dir.File("noname.duckdb"), noName));
        Assert.Contains(relay.Address, refused.Message, StringComparison.Ordinal);
        Assert.Contains("SSL", refused.Message, StringComparison.Ordinal);
        Assert.Empty(RelayTestRun.Edges(_dir.File("noname.duckdb")));

        // an untrusted CA (the system roots)
        var noCa = RelayTestRun.Options(relay.Address, TimeSpan.FromSeconds(1.5)) with { Tls = true, TlsServerName = _pki.ServerName };
        await Assert.ThrowsAsync<RelayException>(() => RelayTestRun.FollowAsync(_dir.File("noca.duckdb"), noCa));
        Assert.Empty(relay.Requests);

        // --tls-allow-insecure accepts it anyway
        var insecure = RelayTestRun.Options(relay.Address) with { Tls = true, TlsAllowInsecure = true };
        var (summary, _) = await RelayTestRun.FollowAsync(_dir.File("insecure.duckdb"), insecure);
        Assert.Equal(10, summary.Connections);
    }

    [Fact]
    public async Task Mtls_streams_with_the_client_certificate_and_stores_nothing_without_it()
    {
        await using var relay = await TestRelay.StartAsync(new TestRelayOptions
        {
            Responses = Fixtures.Conversation(10),
            Tls = new TestRelayTls { ServerCertificate = _pki.Server, ClientCa = _pki.Ca },
        });
        var tls = RelayTestRun.Options(relay.Address, TimeSpan.FromSeconds(1.5)) with { Tls = true, TlsCaCertFiles = [_pki.CaPemFile], TlsServerName = _pki.ServerName };

        // without the client certificate the relay never answers: a bounded run ends in a clear error, nothing stored
        var refused = await Assert.ThrowsAsync<RelayException>(() => RelayTestRun.FollowAsync(_dir.File("nocert.duckdb"), tls));
        Assert.Contains("no response from Hubble Relay", refused.Message, StringComparison.Ordinal);
        Assert.Empty(relay.Requests);
        Assert.Empty(RelayTestRun.Edges(_dir.File("nocert.duckdb")));

        var mtls = tls with { IdleTimeout = TimeSpan.FromSeconds(2), TlsClientCertFile = _pki.ClientCertPemFile, TlsClientKeyFile = _pki.ClientKeyPemFile };
        var (with, _) = await RelayTestRun.FollowAsync(_dir.File("mtls.duckdb"), mtls);
        Assert.Equal(10, with.Connections);
        Assert.Single(relay.Requests);
    }

    [Fact]
    public async Task A_client_key_without_its_certificate_is_a_clear_error()
    {
        var options = RelayTestRun.Options("127.0.0.1:1") with { Tls = true, TlsClientKeyFile = _pki.ClientKeyPemFile };
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => RelayTestRun.FollowAsync(_dir.File("half.duckdb"), options));
        Assert.Contains("--tls-client-cert-file", ex.Message, StringComparison.Ordinal);
    }
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Inference.Testing;

/// <summary>
/// Certificates generated in the test: a CA, a server certificate for <see cref="ServerName"/> and a client certificate,
/// all issued by the CA, with the PEM files the CLI flags take (<c>--tls-ca-cert-files</c>, <c>--tls-client-cert-file</c>, <c>--tls-client-key-file</c>).
/// </summary>
public sealed class TestPki : IDisposable
{
    private TestPki(string serverName, X509Certificate2 ca, X509Certificate2 server, X509Certificate2 client, string caPem, string clientCertPem, string clientKeyPem)
    {
        ServerName = serverName;
        Ca = ca;
        Server = server;
        Client = client;
        CaPemFile = caPem;
        ClientCertPemFile = clientCertPem;
        ClientKeyPemFile = clientKeyPem;
    }

    public string ServerName { get; }
    public X509Certificate2 Ca { get; }

    /// <summary>With its private key (what Kestrel serves).</summary>
    public X509Certificate2 Server { get; }

    public X509Certificate2 Client { get; }
    public string CaPemFile { get; }
    public string ClientCertPemFile { get; }
    public string ClientKeyPemFile { get; }

    /// <summary>Creates the CA and certificates and writes the PEM files into <paramref name="directory"/>.</summary>
    public static TestPki Create(string directory, string serverName = "instance.hubble-relay.cilium.io", string caName = "Inference Test CA")
    {
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        var notAfter = DateTimeOffset.UtcNow.AddDays(30);

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN={caName}", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var ca = caRequest.CreateSelfSigned(notBefore, notAfter);

        var (server, _) = Issue(ca, "CN=" + serverName, serverName, "1.3.6.1.5.5.7.3.1", notBefore, notAfter, 2);
        var (client, clientKey) = Issue(ca, "CN=inference-test-client", null, "1.3.6.1.5.5.7.3.2", notBefore, notAfter, 3);

        var caPem = Path.Combine(directory, "ca.crt");
        var clientCertPem = Path.Combine(directory, "client.crt");
        var clientKeyPem = Path.Combine(directory, "client.key");
        File.WriteAllText(caPem, ca.ExportCertificatePem());
        File.WriteAllText(clientCertPem, client.ExportCertificatePem());
        File.WriteAllText(clientKeyPem, clientKey);
        return new TestPki(serverName, ca, server, client, caPem, clientCertPem, clientKeyPem);
    }

    private static (X509Certificate2 Certificate, string KeyPem) Issue(X509Certificate2 ca, string subject, string? dnsName, string eku,
        DateTimeOffset notBefore, DateTimeOffset notAfter, byte serial)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(eku)], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (dnsName is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(dnsName);
            request.CertificateExtensions.Add(san.Build());
        }

        using var issued = request.Create(ca, notBefore, notAfter, [serial, 0x42]);
        using var withKey = issued.CopyWithPrivateKey(key);
        // round-trip through PKCS#12 so SslStream can use the key on every platform
        var pfx = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        return (pfx, key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>True when <paramref name="certificate"/> chains to this CA (how the test relay checks client certificates).</summary>
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 ca)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    public void Dispose()
    {
        Ca.Dispose();
        Server.Dispose();
        Client.Dispose();
    }
}

using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;

namespace Inference.Ingest.Calico.Bridge;

/// <summary>
/// The gRPC channel to Goldmane: mTLS as calico-system runs it (a client certificate such as <c>node-certs</c>, the
/// <c>goldmane-key-pair</c> CA, server name <c>goldmane.calico-system.svc</c>). An explicit http:// address is plaintext (tests).
/// </summary>
internal static class GoldmaneChannel
{
    public static GrpcChannel Create(GoldmaneBridgeOptions options)
    {
        if (options.Goldmane.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            return GrpcChannel.ForAddress(options.Goldmane);
        }

        var address = options.Goldmane.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? options.Goldmane : "https://" + options.Goldmane;
        var ssl = new SslClientAuthenticationOptions();
        if (options.TlsServerName is { Length: > 0 } name)
        {
            ssl.TargetHost = name;
        }

        if (options.TlsClientCertFile is not null || options.TlsClientKeyFile is not null)
        {
            if (options.TlsClientCertFile is null || options.TlsClientKeyFile is null)
            {
                throw new ArgumentException("mTLS needs both --tls-client-cert-file and --tls-client-key-file");
            }

            using var pem = X509Certificate2.CreateFromPemFile(options.TlsClientCertFile, options.TlsClientKeyFile);
            // the key must be exportable to the platform store for SslStream to use it
            ssl.ClientCertificates = [X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null)];
        }

        if (options.TlsCaCertFiles.Count > 0)
        {
            var roots = new X509Certificate2Collection();
            foreach (var file in options.TlsCaCertFiles)
            {
                roots.ImportFromPemFile(file);
            }

            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(certificate));
            };
        }

        var handler = new SocketsHttpHandler { SslOptions = ssl, EnableMultipleHttp2Connections = true, KeepAlivePingDelay = TimeSpan.FromSeconds(30), KeepAlivePingTimeout = TimeSpan.FromSeconds(10) };
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }
}

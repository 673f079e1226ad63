using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;

namespace Inference.Ingest.Hubble.Relay;

/// <summary>Builds the gRPC channel to the relay: plaintext h2c, TLS with custom CAs and server name, or mTLS.</summary>
public static class RelayChannelFactory
{
    public static GrpcChannel Create(RelayOptions options)
    {
        var hostPort = options.HostPort;
        if (!hostPort.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"--relay '{options.Address}' must be HOST:PORT (Hubble Relay listens on 4245; the Helm service on 80 or 443)");
        }

        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };

        if (options.UsesTls)
        {
            handler.SslOptions = TlsOptions(options, hostPort[..hostPort.LastIndexOf(':')]);
        }
        else if (options.TlsClientCertFile is not null || options.TlsCaCertFiles.Count > 0)
        {
            throw new ArgumentException("TLS files were given but TLS is off: add --tls (or a tls:// prefix)");
        }

        var scheme = options.UsesTls ? "https" : "http";
        var target = hostPort;
        if (options.UsesTls && options.TlsServerName is { } serverName)
        {
            // SocketsHttpHandler takes the TLS name (SNI and verification) from the request URI, not from SslOptions.TargetHost:
            // address the server name, as grpc-go does with ServerName, and connect the socket to the real HOST:PORT
            var separator = hostPort.LastIndexOf(':');
            var (host, port) = (hostPort[..separator].Trim('[', ']'), int.Parse(hostPort[(separator + 1)..], System.Globalization.CultureInfo.InvariantCulture));
            target = $"{serverName}:{port}";
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        return GrpcChannel.ForAddress($"{scheme}://{target}", new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxReceiveMessageSize = 16 * 1024 * 1024,
            DisposeHttpClient = true,
        });
    }

    private static SslClientAuthenticationOptions TlsOptions(RelayOptions options, string host)
    {
        var ssl = new SslClientAuthenticationOptions { TargetHost = options.TlsServerName ?? host };
        if ((options.TlsClientCertFile is null) != (options.TlsClientKeyFile is null))
        {
            throw new ArgumentException("mTLS needs both --tls-client-cert-file and --tls-client-key-file");
        }

        if (options.TlsClientCertFile is not null)
        {
            var pem = X509Certificate2.CreateFromPemFile(options.TlsClientCertFile, options.TlsClientKeyFile);
            // SslStream wants a certificate whose private key it can use across platforms: round-trip through PKCS#12
            ssl.ClientCertificates = [X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null)];
        }

        var roots = new X509Certificate2Collection();
        foreach (var file in options.TlsCaCertFiles)
        {
            roots.ImportFromPemFile(file);
        }

        ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (options.TlsAllowInsecure)
            {
                return true;
            }

            if (roots.Count == 0 || certificate is null)
            {
                return errors == SslPolicyErrors.None;
            }

            if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        };
        return ssl;
    }
}

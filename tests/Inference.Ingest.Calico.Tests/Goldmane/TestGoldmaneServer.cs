using System.Net;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Inference.Ingest.Calico.Goldmane.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Inference.Ingest.Calico.Tests.Goldmane;

/// <summary>
/// A Goldmane for tests: serves <c>goldmane.Flows/Stream</c> over mTLS on 127.0.0.1 (port 0) from the flows it holds,
/// backfilling from <c>start_time_gte</c> as Goldmane does, then keeps the stream open.
/// </summary>
internal sealed class TestGoldmaneServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestGoldmaneServer(WebApplication app, FlowsService service, string address)
    {
        _app = app;
        Service = service;
        Address = address;
    }

    public FlowsService Service { get; }
    public string Address { get; }

    public static async Task<TestGoldmaneServer> StartAsync(TestCertificates certificates)
    {
        var service = new FlowsService();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(service);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(https =>
            {
                https.ServerCertificate = certificates.Server;
                https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                https.ClientCertificateValidation = (certificate, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(certificates.Ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(certificate);
                };
            });
        }));
        var app = builder.Build();
        app.MapGrpcService<FlowsService>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestGoldmaneServer(app, service, new Uri(address).Authority);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal sealed class FlowsService : Flows.FlowsBase
    {
        private readonly Lock _gate = new();
        private List<Flow> _flows = [];

        public List<long> StreamRequests { get; } = [];

        /// <summary>Replaces what Goldmane holds (its ring of windows moved on).</summary>
        public void Hold(IEnumerable<Flow> flows)
        {
            lock (_gate)
            {
                _flows = flows.ToList();
            }
        }

        public override async Task Stream(FlowStreamRequest request, IServerStreamWriter<FlowResult> responseStream, ServerCallContext context)
        {
            List<Flow> flows;
            lock (_gate)
            {
                StreamRequests.Add(request.StartTimeGte);
                flows = _flows.Where(f => f.StartTime >= request.StartTimeGte).OrderBy(f => f.StartTime).ToList();
            }

            var id = 0;
            foreach (var flow in flows)
            {
                await responseStream.WriteAsync(new FlowResult { Id = ++id, Flow = flow });
            }

            try
            {
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                // the client went away
            }
        }
    }
}

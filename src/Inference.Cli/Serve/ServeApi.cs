using System.Net;
using System.Text.Json;
using Inference.Cli.Export;
using Inference.Core.Inference;
using Inference.Store.Review;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Inference.Cli.Serve;

/// <summary>The HTTP surface: page, /healthz, /metrics, the JSON API; reads open only on loopback unless configured, writes need the token.</summary>
internal static partial class ServeApi
{
    public static void Map(WebApplication app, ServeContext context, Metrics metrics, ILogger logger)
    {
        app.Use(async (http, next) =>
        {
            var remote = http.Connection.RemoteIpAddress;
            var loopback = remote is null || IPAddress.IsLoopback(remote);
            var isWrite = !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method);
            if (isWrite && !context.Token.Accepts(http.Request.Headers.Authorization))
            {
                await Problem(http, 401, "write actions need the token printed on first start (stored beside the DB as DB.token), as Authorization: Bearer TOKEN");
                return;
            }

            if (!isWrite && !loopback && !context.Options.OpenReads && http.Request.Path != "/healthz")
            {
                await Problem(http, 403, "reads are served to loopback clients only (set openReads: true to serve them to others)");
                return;
            }

            http.Response.Headers["X-Content-Type-Options"] = "nosniff";
            http.Response.Headers["Content-Security-Policy"] = "default-src 'self'; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'";
            await next(http);
        });

        app.MapGet("/", () => WebAssets.Result("index.html"));
        app.MapGet("/app.js", () => WebAssets.Result("app.js"));
        app.MapGet("/app.css", () => WebAssets.Result("app.css"));
        app.MapGet("/healthz", () => Results.Json(new
        {
            status = "ok",
            ingesters = context.Ingesters.Select(i => new { source = i.Source, state = i.Snapshot().State }),
        }));
        app.MapGet("/metrics", async (CancellationToken ct) =>
        {
            var status = await ReadAsync(context, () => context.ReadStore.Reads.Status(), ct);
            return Results.Text(metrics.Render(status, context.Ingesters, context.ReadStore.Path), "text/plain; version=0.0.4");
        });
        app.MapGet("/api/status", async (CancellationToken ct) =>
        {
            var status = await ReadAsync(context, () => context.ReadStore.Reads.Status(), ct);
            return Results.Json(new
            {
                ingesters = context.Ingesters.Select(i =>
                {
                    var s = i.Snapshot();
                    return new { source = i.Source, kind = i.Kind, state = s.State, since = s.Since, lastError = s.LastError, restarts = i.Restarts, flowsThisRun = s.LiveFlows };
                }),
                sources = status.Sources,
                lostEvents = status.LostEvents,
                gaps = status.Gaps,
                dbSizeBytes = Metrics.DbSize(context.ReadStore.Path),
            });
        });
        app.MapGet("/api/review", async (CancellationToken ct) =>
        {
            var inputs = await LoadAsync(context, ct);
            var deployed = context.Options.Deployed.Count == 0 ? null
                : await DeployedBreaks.ComputeAsync(context.Options.Deployed, inputs.Observed!, ct);
            return Results.Stream(async stream =>
            {
                await using var json = new Utf8JsonWriter(stream);
                ReviewJson.Write(json, inputs, context.Options.Export.Repo is not null, deployed);
            }, "application/json");
        });
        app.MapGet("/api/decisions", async (CancellationToken ct) =>
            Results.Json(await ReadAsync(context, () => ReviewStore.History(context.ReadStore.Connection), ct)));
        app.MapPost("/api/decisions", async (DecisionRequest body, CancellationToken ct) =>
        {
            if (body.Decision is not ("approved" or "rejected" or "cleared") || string.IsNullOrWhiteSpace(body.Namespace) || string.IsNullOrWhiteSpace(body.Policy))
            {
                return Results.Problem("expected {namespace, policy, rule?, decision: approved|rejected|cleared, note?, actor?}", statusCode: 400);
            }

            // a typo must not be stored as a decision nobody can see: only policies the store suggests now are decided on
            var suggested = (await LoadAsync(context, ct)).Suggestion.Policies;
            if (!suggested.Any(p => p.Namespace == body.Namespace && p.Name == body.Policy))
            {
                return Results.Problem($"no suggested policy {body.Namespace}/{body.Policy} (see /api/review for the names)", statusCode: 404);
            }

            var actor = string.IsNullOrWhiteSpace(body.Actor) ? "token holder" : body.Actor.Trim();
            var id = await ReadAsync(context, () => ReviewStore.Append(context.ReadStore.Connection, body.Namespace, body.Policy, body.Rule ?? "", body.RuleText,
                body.Decision, body.Note ?? "", actor, context.Time.GetUtcNow()), ct);
            LogDecision(logger, body.Decision, body.Namespace, body.Policy, string.IsNullOrEmpty(body.Rule) ? "(whole policy)" : "rule " + body.Rule, actor);
            return Results.Json(new { id });
        });
        app.MapPost("/api/export", async (CancellationToken ct) =>
        {
            var settings = context.Options.Export;
            if (settings.Repo is null)
            {
                return Results.Problem("export is not configured: set export.repo in the config file (or INFERENCE_EXPORT__REPO)", statusCode: 409);
            }

            var inputs = await LoadAsync(context, ct);
            var request = new ExportRequest
            {
                Repository = Path.GetFullPath(settings.Repo),
                Branch = settings.Branch,
                Base = settings.Base,
                Subdirectory = settings.Path,
                ApprovedOnly = settings.ApprovedOnly,
                Format = Formats.Parse(context.Options.Format),
            };
            try
            {
                var result = await new ExportRunner(logger).RunAsync(request, inputs, ct);
                return Results.Json(new
                {
                    branch = result.Branch,
                    baseBranch = result.Base,
                    commit = result.Commit,
                    unchanged = result.Unchanged,
                    added = result.Added,
                    changed = result.Changed,
                    removed = result.Removed,
                    skipped = result.Skipped,
                    next = result.NextCommands,
                });
            }
            catch (CliException ex)
            {
                return Results.Problem(ex.Message, statusCode: 409);
            }
        });
    }

    private static async Task<ExportInputs> LoadAsync(ServeContext context, CancellationToken ct) =>
        await ReadAsync(context, () => ExportInputs.Load(context.ReadStore, context.ReadStore.Connection,
            new SuggestOptions { Format = Formats.Parse(context.Options.Format) }, ct), ct);

    /// <summary>Runs a blocking DuckDB call on the read connection, one at a time.</summary>
    public static async Task<T> ReadAsync<T>(ServeContext context, Func<T> read, CancellationToken ct)
    {
        await context.ReadGate.WaitAsync(ct);
        try
        {
            return await Task.Run(read, ct);
        }
        finally
        {
            context.ReadGate.Release();
        }
    }

    private static Task Problem(HttpContext http, int status, string detail)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(new { status, detail });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "review: {Decision} {Namespace}/{Policy} {Rule} by {Actor}")]
    private static partial void LogDecision(ILogger logger, string decision, string @namespace, string policy, string rule, string actor);
}

internal sealed record DecisionRequest(string Namespace, string Policy, string? Rule, string? RuleText, string Decision, string? Note, string? Actor);

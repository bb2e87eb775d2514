using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Referrals;

/// <summary>The work queue: GET /api/referrals?contractId=…&amp;status=…&amp;department=…&amp;limit=…&amp;offset=…</summary>
public sealed class ReferralQueueTests(AppFixture fixture) : ReferralTest(fixture)
{
    /// <summary>
    /// Given: a contract with four referrals opened 09:16, 09:17, 09:18 and 09:19 — the first accepted, the
    /// second answered, the third (at the Standesamt) and the fourth open — and a call settled at once.
    /// </summary>
    private async Task<(string Contract, string[] Referrals)> GivenAQueue()
    {
        var contract = await GivenContract();
        var referrals = new[]
        {
            await GivenReferral(contract: contract, completedAt: "2021-03-01T09:16:00+01:00"),
            await GivenReferral("callback-promised", contract: contract, completedAt: "2021-03-01T09:17:00+01:00"),
            await GivenReferral(department: "standesamt", contract: contract, completedAt: "2021-03-01T09:18:00+01:00"),
            await GivenReferral(contract: contract, completedAt: "2021-03-01T09:19:00+01:00"),
        };
        await GivenCompletedCall(Completed("resolved"), contract);
        await Post(Step(referrals[0], "accepted"), Accepted("2021-03-01T10:00:00+01:00"), Department);
        await Post(Step(referrals[1], "answered"), AnsweredReferral("2021-03-01T10:00:00+01:00"), Department);
        return (contract, referrals);
    }

    private async Task<string[]> Queue(string query, string? token = null)
    {
        var page = (await Get($"/api/referrals?{query}", token ?? Department)).AsArray();
        return page.Select(r => (string)r!["referralId"]!).ToArray();
    }

    /// <summary>A refused query: problem details with the status and an error for the field.</summary>
    private Task QueueRefused(string query, int status, string field, string? rule = null, string? token = null) =>
        RefusedGet($"/api/referrals?{query}", token ?? Department, status, field, rule);

    [Fact]
    public async Task The_queue_lists_a_contracts_referrals_oldest_first()
    {
        var (contract, referrals) = await GivenAQueue();

        Assert.Equal(referrals, await Queue($"contractId={contract}"));

        var page = (await Get($"/api/referrals?contractId={contract}", Department)).AsArray();
        Assert.Equal(["accepted", "answered", "open", "open"], page.Select(r => (string)r!["status"]!));
        Assert.Equal(["ordnungsamt", "ordnungsamt", "standesamt", "ordnungsamt"], page.Select(r => (string)r!["department"]!));
        Assert.All(page, r => Assert.Equal(contract, (string)r!["contractId"]!));
    }

    [Fact]
    public async Task The_queue_filters_by_status_and_department()
    {
        var (contract, referrals) = await GivenAQueue();

        Assert.Equal([referrals[2], referrals[3]], await Queue($"contractId={contract}&status=open"));
        Assert.Equal([referrals[0], referrals[2], referrals[3]], await Queue($"contractId={contract}&status=open,accepted"));
        Assert.Equal([referrals[0], referrals[2], referrals[3]], await Queue($"contractId={contract}&status=accepted,%20open"));
        Assert.Equal([referrals[1]], await Queue($"contractId={contract}&status=answered"));
        Assert.Empty(await Queue($"contractId={contract}&status=returned"));
        Assert.Equal([referrals[2]], await Queue($"contractId={contract}&department=standesamt"));
        Assert.Equal([referrals[3]], await Queue($"contractId={contract}&status=open&department=ordnungsamt"));
        Assert.Empty(await Queue($"contractId={contract}&department=jugendamt"));
    }

    [Fact]
    public async Task The_queue_is_paged()
    {
        var (contract, referrals) = await GivenAQueue();

        Assert.Equal([referrals[0]], await Queue($"contractId={contract}&limit=1"));
        Assert.Equal([referrals[1], referrals[2]], await Queue($"contractId={contract}&limit=2&offset=1"));
        Assert.Equal([referrals[3]], await Queue($"contractId={contract}&offset=3&limit=1000"));
        Assert.Empty(await Queue($"contractId={contract}&offset=4"));
    }

    [Fact]
    public async Task A_contracts_queue_never_shows_another_contracts_referrals()
    {
        var (contract, referrals) = await GivenAQueue();
        var other = await GivenContract();
        var elsewhere = await GivenReferral(contract: other);

        Assert.Equal([elsewhere], await Queue($"contractId={other}"));
        Assert.Equal([elsewhere], await Queue($"contractId={other}&status=open&department=ordnungsamt"));
        Assert.DoesNotContain(elsewhere, await Queue($"contractId={contract}"));
        Assert.Equal(referrals, await Queue($"contractId={contract}", Acd));
    }

    [Fact]
    public async Task A_queue_of_a_contract_out_of_reach_is_404()
    {
        var (contract, _) = await GivenAQueue();

        await QueueRefused($"contractId={contract}", 404, "contractId", token: Tokens.For("department", "dortmund"));
        await QueueRefused("contractId=no-such-contract", 404, "contractId");
        Assert.Equal(4, (await Queue($"contractId={contract}", Tokens.Auditor)).Length);
    }

    [Theory]
    [InlineData("status=open", "contractId", "is required")]
    [InlineData("contractId=", "contractId", "is required")]
    [InlineData("contractId=x&limit=0", "limit", "between 1 and 1000")]
    [InlineData("contractId=x&limit=1001", "limit", "between 1 and 1000")]
    [InlineData("contractId=x&limit=ten", "limit", "between 1 and 1000")]
    [InlineData("contractId=x&limit=1.5", "limit", "between 1 and 1000")]
    [InlineData("contractId=x&offset=-1", "offset", "negative")]
    [InlineData("contractId=x&offset=first", "offset", "whole number")]
    [InlineData("contractId=x&status=closed", "status", "open, accepted, answered, returned")]
    [InlineData("contractId=x&status=open,Accepted", "status", null)]
    public async Task Bad_queries_are_400_naming_the_parameter(string query, string field, string? rule)
    {
        await QueueRefused(query, 400, field, rule);
    }
}

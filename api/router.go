package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/approval"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/evaluation"
	"github.com/tenderhall/tenderhall/experts"
	"github.com/tenderhall/tenderhall/sandbox"
	"github.com/tenderhall/tenderhall/supervision"
	"github.com/tenderhall/tenderhall/video"
)

// route is one line of the route table: who may call it, what it does, and
// the request/response types the OpenAPI document describes.
type route struct {
	method  string
	path    string
	access  access
	summary string
	tag     string
	request any // JSON request body type, nil for none
	respond any // JSON response type
	handler handlerFunc
}

// routeTable is the whole HTTP surface of the platform, in one place.
// Every route names its access rule; TestEveryRouteAgainstEveryRole checks
// each one against every role.
func (s *Server) routeTable() []route {
	return []route{
		// Operations.
		{http.MethodGet, "/healthz", public, "Process is up", "ops", nil, gin.H{}, s.healthz},
		{http.MethodGet, "/readyz", public, "Database, blob store and queue reachable", "ops", nil, gin.H{}, s.readyz},
		{http.MethodGet, "/metrics", internal, "Prometheus metrics (loopback or admin)", "ops", nil, nil, s.serveMetrics},
		{http.MethodGet, "/api/v1/openapi.json", public, "This API description", "ops", nil, gin.H{}, s.openAPI},
		{http.MethodGet, "/api/v1/time", public, "Server time in milliseconds", "ops", nil, TimeResponse{}, s.serverTime},
		{http.MethodGet, "/api/v1/sandbox", public, "Whether this server is a sandbox (测试环境) and its clock", "ops", nil, sandbox.State{}, s.sandboxState},
		{http.MethodPost, "/api/v1/sandbox/clock", roles(accounts.RoleAdmin), "Move a sandbox's clock forward and run every sweep (404 sandbox_off elsewhere)", "ops", SandboxClockRequest{}, sandbox.State{}, s.advanceSandbox},
		{http.MethodPut, "/api/v1/sandbox/carrier", roles(accounts.RoleAdmin), "Script a sandbox's simulated phones for later calls (notify profile syntax); 404 sandbox_off elsewhere", "ops", CarrierRequest{}, CarrierRequest{}, s.setCarrierProfile},
		{http.MethodGet, "/api/v1/sandbox/inbox", roles(accounts.RoleExpert), "A sandbox expert's simulated SMS (the room code among them); 404 sandbox_off elsewhere", "ops", nil, []experts.InboxMessage{}, s.sandboxInbox},
		{http.MethodGet, "/api/v1/blobs/*key", public, "Download through a presigned link", "ops", nil, nil, s.presignedBlob},

		// Setup and sessions.
		{http.MethodGet, "/api/v1/setup", public, "Whether the first administrator still has to be created", "auth", nil, SetupStatus{}, s.setupStatus},
		{http.MethodPost, "/api/v1/setup", public, "Create the first administrator with the one-time setup token", "auth", SetupRequest{}, UserView{}, s.completeSetup},
		{http.MethodPost, "/api/v1/auth/login", public, "Sign in with password (and TOTP for staff)", "auth", LoginRequest{}, LoginResponse{}, s.login},
		{http.MethodPost, "/api/v1/auth/key-challenge", public, "A one-time challenge for a bidder's SM2 key sign-in", "auth", KeyChallengeRequest{}, accounts.KeyChallenge{}, s.keyChallenge},
		{http.MethodPost, "/api/v1/auth/key-login", public, "Sign in by signing the challenge with the organisation's SM2 key (bidders)", "auth", KeyLoginRequest{}, LoginResponse{}, s.keyLogin},
		{http.MethodPost, "/api/v1/auth/logout", anyone, "End the current session", "auth", nil, gin.H{}, s.logout},
		{http.MethodGet, "/api/v1/auth/me", anyone, "The signed-in user, organisation and roles", "auth", nil, MeResponse{}, s.me},
		{http.MethodPost, "/api/v1/auth/totp/enroll", anyone, "Start TOTP enrolment", "auth", nil, TOTPEnrollResponse{}, s.totpEnroll},
		{http.MethodPost, "/api/v1/auth/totp/confirm", anyone, "Confirm TOTP enrolment with a code", "auth", TOTPConfirmRequest{}, gin.H{}, s.totpConfirm},
		{http.MethodPost, "/api/v1/auth/tokens", anyone, "Create a bearer token for the CLI", "auth", TokenRequest{}, TokenResponse{}, s.createToken},

		// Organisations and users.
		{http.MethodPost, "/api/v1/organizations", roles(accounts.RoleAdmin), "Create an organisation", "accounts", OrgRequest{}, OrgView{}, s.createOrg},
		{http.MethodGet, "/api/v1/organizations", roles(accounts.RoleAgent, accounts.RoleAdmin, accounts.RoleSupervisor), "Organisations of one kind (?kind=tenderer), by name", "accounts", nil, []OrgView{}, s.listOrgs},
		{http.MethodGet, "/api/v1/organizations/:id", anyone, "Read an organisation (own, or any for staff)", "accounts", nil, OrgView{}, s.getOrg},
		{http.MethodPut, "/api/v1/organizations/:id/public-key", roles(accounts.RoleAdmin, accounts.RoleBidder), "Register the organisation's SM2 public key", "accounts", PublicKeyRequest{}, OrgView{}, s.setOrgKey},
		{http.MethodPost, "/api/v1/users", roles(accounts.RoleAdmin), "Create a user", "accounts", UserRequest{}, UserView{}, s.createUser},
		{http.MethodPost, "/api/v1/users/:id/roles", roles(accounts.RoleAdmin), "Grant a role", "accounts", RoleRequest{}, UserView{}, s.grantRole},
		{http.MethodDelete, "/api/v1/users/:id/roles/:role", roles(accounts.RoleAdmin), "Revoke a role", "accounts", nil, UserView{}, s.revokeRole},
		{http.MethodPost, "/api/v1/users/:id/grants", roles(accounts.RoleAdmin), "Grant a role on one project", "accounts", GrantRequest{}, gin.H{}, s.grantProject},

		// Transparency log (eventlog/LOG.md): public, checkable offline against signed heads.
		// Event contents name people, addresses and bids: auditors only. Heads,
		// proofs and the key stay public, so anyone can check consistency.
		{http.MethodGet, "/api/v1/log/events", roles(accounts.RoleAdmin, accounts.RoleSupervisor), "Logged events by sequence, with leaf hashes", "log", nil, LogEventPage{}, s.logEvents},
		{http.MethodGet, "/api/v1/log/head", public, "The latest signed tree head", "log", nil, LogHead{}, s.logHead},
		{http.MethodGet, "/api/v1/log/heads", public, "Signed tree heads in signing order", "log", nil, LogHeadPage{}, s.logHeads},
		{http.MethodPost, "/api/v1/log/heads", roles(accounts.RoleAdmin, accounts.RoleSupervisor), "A signed head of the whole log: the latest when it covers the log (200), else one signed now (201)", "log", nil, LogHead{}, s.signLogHead},
		{http.MethodGet, "/api/v1/log/proof/inclusion", public, "Inclusion proof of an event in a tree size", "log", nil, LogInclusionProof{}, s.logInclusion},
		{http.MethodGet, "/api/v1/log/proof/consistency", public, "Consistency proof between two tree sizes", "log", nil, LogConsistencyProof{}, s.logConsistency},
		{http.MethodGet, "/api/v1/log/key", public, "The platform public key that signs tree heads", "log", nil, LogKey{}, s.logKey},

		// Working-day calendar (DESIGN.md §5): read by anyone, kept by the administrator.
		{http.MethodGet, "/api/v1/calendar/:year", public, "Holidays and adjusted workdays of a year", "calendar", nil, CalendarYear{}, s.getCalendarYear},
		{http.MethodPut, "/api/v1/calendar/:year", roles(accounts.RoleAdmin), "Replace a year's holidays and adjusted workdays", "calendar", CalendarRequest{}, CalendarYear{}, s.putCalendarYear},

		// Bidding (api/bidding.go): projects, sections, announcements, clarifications, questions, objections.
		{http.MethodPost, "/api/v1/projects", roles(accounts.RoleAgent, accounts.RoleAdmin), "Create a project run by the caller's agency", "bidding", ProjectRequest{}, bidding.Project{}, s.createProject},
		{http.MethodGet, "/api/v1/projects", roles(accounts.RoleAgent, accounts.RoleAdmin, accounts.RoleSupervisor), "The projects the caller may read, newest first, with their sections", "bidding", nil, []bidding.ProjectView{}, s.listProjects},
		{http.MethodGet, "/api/v1/projects/:id", roles(accounts.RoleAgent, accounts.RoleAdmin, accounts.RoleSupervisor), "Read a project and its sections", "bidding", nil, bidding.ProjectView{}, s.getProject},
		{http.MethodPost, "/api/v1/projects/:id/sections", roles(accounts.RoleAgent, accounts.RoleAdmin), "Add a section with its rulebook", "bidding", SectionRequest{}, bidding.Section{}, s.createSection},
		{http.MethodPost, "/api/v1/projects/:id/clarifications", roles(accounts.RoleAgent, accounts.RoleAdmin), "Publish a clarification (may move deadlines)", "bidding", ClarificationRequest{}, bidding.Clarification{}, s.clarify},
		{http.MethodGet, "/api/v1/sections/:id", roles(accounts.RoleAgent, accounts.RoleAdmin, accounts.RoleSupervisor), "Read a section with its deadline history", "bidding", nil, bidding.SectionView{}, s.getSection},
		{http.MethodGet, "/api/v1/sections/:id/announcement", roles(accounts.RoleAgent, accounts.RoleAdmin, accounts.RoleSupervisor), "A section's announcement in any status (the draft being edited)", "bidding", nil, bidding.Announcement{}, s.sectionAnnouncement},
		{http.MethodPut, "/api/v1/sections/:id/announcement", roles(accounts.RoleAgent, accounts.RoleAdmin), "Create or edit the draft announcement", "bidding", AnnouncementRequest{}, bidding.Announcement{}, s.saveAnnouncement},
		{http.MethodPost, "/api/v1/sections/:id/announcement/approve", roles(accounts.RoleAgent, accounts.RoleAdmin), "Tenderer approves the announcement", "bidding", nil, bidding.Announcement{}, s.approveAnnouncement},
		{http.MethodPost, "/api/v1/sections/:id/announcement/publish", roles(accounts.RoleAgent, accounts.RoleAdmin), "Publish the announcement (checks the rulebook)", "bidding", nil, bidding.Announcement{}, s.publishAnnouncement},
		{http.MethodPost, "/api/v1/sections/:id/cancel", roles(accounts.RoleAgent, accounts.RoleAdmin), "Cancel a section with a reason", "bidding", CancelRequest{}, bidding.Section{}, s.cancelSection},
		{http.MethodGet, "/api/v1/sections/:id/questions", anyone, "Questions and answers (askers anonymous)", "bidding", nil, []bidding.Question{}, s.listQuestions},
		{http.MethodPost, "/api/v1/sections/:id/questions", roles(accounts.RoleBidder), "Ask a question about a section", "bidding", QuestionRequest{}, bidding.Question{}, s.askQuestion},
		{http.MethodPost, "/api/v1/questions/:id/answer", roles(accounts.RoleAgent, accounts.RoleAdmin), "Answer a bidder's question", "bidding", AnswerRequest{}, bidding.Question{}, s.answerQuestion},
		{http.MethodPost, "/api/v1/sections/:id/objections", roles(accounts.RoleBidder), "Raise an objection to the tender documents (pauses the section)", "bidding", ObjectionRequest{}, bidding.Objection{}, s.raiseObjection},
		{http.MethodGet, "/api/v1/sections/:id/objections", roles(accounts.RoleAgent, accounts.RoleAdmin, accounts.RoleSupervisor), "A section's objections to the tender documents, with answers", "bidding", nil, []bidding.Objection{}, s.sectionObjections},
		{http.MethodPost, "/api/v1/objections/:id/answer", roles(accounts.RoleAgent, accounts.RoleAdmin), "Answer an objection (resumes the section)", "bidding", AnswerRequest{}, bidding.Objection{}, s.answerObjection},
		{http.MethodGet, "/api/v1/public/announcements", public, "Search published announcements", "bidding", nil, bidding.AnnouncementPage{}, s.listAnnouncements},
		{http.MethodGet, "/api/v1/public/announcements/:id", public, "A published announcement (stable public URL)", "bidding", nil, bidding.PublicDetail{}, s.publicAnnouncement},

		// Tender documents (api/documents.go): downloaders are secret until the deadline.
		{http.MethodPost, "/api/v1/sections/:id/documents", roles(accounts.RoleAgent, accounts.RoleAdmin), "Upload or replace a tender document (multipart file, or raw body with ?name=)", "bidding", nil, bidding.Document{}, s.uploadDocument},
		{http.MethodGet, "/api/v1/sections/:id/documents", anyone, "A section's tender documents: names, sizes, SM3 digests", "bidding", nil, []bidding.Document{}, s.listDocuments},
		{http.MethodGet, "/api/v1/public/sections/:id/documents", public, "A published section's tender documents: names, sizes, SM3 digests", "bidding", nil, []bidding.Document{}, s.publicDocuments},
		{http.MethodGet, "/api/v1/documents/:id", anyone, "Download a tender document (recorded; SM3 digest in X-Content-SM3)", "bidding", nil, nil, s.downloadDocument},
		{http.MethodGet, "/api/v1/sections/:id/downloaders", roles(accounts.RoleAgent, accounts.RoleAdmin, accounts.RoleSupervisor), "Who downloaded the documents, after the deadline only", "bidding", nil, bidding.Downloaders{}, s.listDownloaders},

		// Sealed-bid upload (api/bids.go): bidders see only their own uploads and bids.
		{http.MethodPost, "/api/v1/sections/:id/uploads", roles(accounts.RoleBidder), "Open a resumable sealed-bid upload", "bids", nil, UploadView{}, s.createUpload},
		{http.MethodGet, "/api/v1/uploads/:id", roles(accounts.RoleBidder), "An own upload: the offset to resume from", "bids", nil, UploadView{}, s.getUpload},
		{http.MethodPut, "/api/v1/uploads/:id", roles(accounts.RoleBidder), "Append a chunk at ?offset= (raw body; 409 wrong_offset names the expected offset)", "bids", nil, UploadView{}, s.appendUpload},
		{http.MethodPost, "/api/v1/uploads/:id/finalize", roles(accounts.RoleBidder), "Verify and store the envelope before the deadline (?size=); returns the signed receipt", "bids", nil, gin.H{}, s.finalizeUpload},
		{http.MethodGet, "/api/v1/sections/:id/bids/mine", roles(accounts.RoleBidder), "The caller organisation's bids and receipts on a section", "bids", nil, []bidding.Bid{}, s.myBids},
		{http.MethodGet, "/api/v1/bids/:id/header", roles(accounts.RoleBidder), "An own bid's envelope header (not secret), to unwrap its data key in the browser at the opening", "bids", nil, BidHeaderView{}, s.bidHeader},
		{http.MethodPost, "/api/v1/bids/:id/withdraw", roles(accounts.RoleBidder), "Withdraw the current bid before the deadline", "bids", nil, bidding.Bid{}, s.withdrawBid},
		{http.MethodGet, "/api/v1/sections/:id/bids/count", roles(accounts.RoleAgent, accounts.RoleAdmin), "Number of current bids, after the deadline only", "bids", nil, BidCountView{}, s.bidCount},

		// The opening room (api/opening.go): any signed-in user watches;
		// bidders check in and decrypt their own bid; the host runs it.
		{http.MethodGet, "/api/v1/sections/:id/room", anyone, "The opening room: phase, server time, counts; names and figures after the window", "opening", nil, bidding.RoomView{}, s.roomView},
		{http.MethodGet, "/api/v1/sections/:id/room/messages", anyone, "Room messages after ?after=seq (redacted)", "opening", nil, []bidding.RoomMessage{}, s.roomMessages},
		{http.MethodGet, "/api/v1/sections/:id/room/stream", anyone, "Live room as server-sent events (Accept: text/event-stream; otherwise one snapshot): messages with their seq as id, a tick every second; resumes after Last-Event-ID or ?after=", "opening", nil, nil, s.roomStream},
		{http.MethodPost, "/api/v1/sections/:id/room/challenge", roles(accounts.RoleBidder), "A one-time sign-in challenge to sign with the organisation's SM2 key", "opening", nil, bidding.Challenge{}, s.roomChallenge},
		{http.MethodPost, "/api/v1/sections/:id/room/signin", roles(accounts.RoleBidder), "Check in with the challenge's SM2 signature", "opening", SignInRequest{}, bidding.Checkin{}, s.roomSignIn},
		{http.MethodPost, "/api/v1/sections/:id/room/join", roles(accounts.RoleAgent, accounts.RoleSupervisor, accounts.RoleAdmin), "The host or a supervisor enters the room", "opening", nil, bidding.Checkin{}, s.roomJoin},
		{http.MethodPost, "/api/v1/sections/:id/room/decrypt", roles(accounts.RoleBidder), "Hand over the own bid's data key during the window", "opening", DecryptRequest{}, bidding.OpenedBid{}, s.roomDecrypt},
		{http.MethodPost, "/api/v1/sections/:id/room/objection-phase", roles(accounts.RoleAgent, accounts.RoleAdmin), "The host opens the objection phase after the results", "opening", nil, bidding.Room{}, s.roomStartObjections},
		{http.MethodPost, "/api/v1/sections/:id/room/objections", roles(accounts.RoleBidder), "Raise an objection at the opening", "opening", TextRequest{}, bidding.RoomObjection{}, s.roomObjection},
		{http.MethodPost, "/api/v1/room-objections/:id/answer", roles(accounts.RoleAgent, accounts.RoleAdmin), "The host answers an objection", "opening", TextRequest{}, bidding.RoomObjection{}, s.roomAnswer},
		{http.MethodPost, "/api/v1/sections/:id/room/announcements", roles(accounts.RoleAgent, accounts.RoleAdmin), "The host announces something to the room", "opening", TextRequest{}, gin.H{}, s.roomAnnounce},
		{http.MethodPost, "/api/v1/sections/:id/room/close", roles(accounts.RoleAgent, accounts.RoleAdmin), "Close the room once every objection is answered; publishes the signed record", "opening", nil, bidding.Room{}, s.roomClose},
		{http.MethodPost, "/api/v1/sections/:id/retender", roles(accounts.RoleAgent, accounts.RoleAdmin), "Start a new round (draft) of a failed section, keeping its history", "opening", nil, bidding.Section{}, s.retender},
		// The escrow remedy (api/escrow.go): off unless the section enables it.
		{http.MethodPut, "/api/v1/auth/me/public-key", roles(accounts.RoleSupervisor, accounts.RoleExpert), "A supervisor or expert registers a personal SM2 public key (escrow shares are wrapped to it; experts sign declarations and reports with it)", "escrow", PublicKeyRequest{}, accounts.UserKey{}, s.setMyKey},
		{http.MethodGet, "/api/v1/public/sections/:id/escrow", public, "A section's escrow public key and share commitments, for sealing bids to it", "escrow", nil, bidding.EscrowKey{}, s.sectionEscrow},
		{http.MethodGet, "/api/v1/sections/:id/escrow/share", roles(accounts.RoleSupervisor), "The caller's escrow share, wrapped to its own SM2 key", "escrow", nil, bidding.WrappedShare{}, s.myEscrowShare},
		{http.MethodPost, "/api/v1/sections/:id/bids/:bid/remedy", roles(accounts.RoleAgent, accounts.RoleAdmin, accounts.RoleSupervisor), "Ask for an escrow remedy of a bid not decrypted in the window (after the window only)", "escrow", RemedyRequest{}, bidding.Remedy{}, s.requestRemedy},
		{http.MethodGet, "/api/v1/sections/:id/bids/:bid/remedy", roles(accounts.RoleAgent, accounts.RoleAdmin, accounts.RoleSupervisor), "A bid's escrow remedy: status and shares handed in", "escrow", nil, bidding.Remedy{}, s.getRemedy},
		{http.MethodPost, "/api/v1/sections/:id/bids/:bid/remedy/shares", roles(accounts.RoleSupervisor), "A holder hands in its share (after the window only); the k-th decrypts the bid", "escrow", ShareRequest{}, bidding.Remedy{}, s.submitShare},
		{http.MethodGet, "/api/v1/sections/:id/opening-record", public, "The signed opening record (?format=json|pdf), once the room closed", "opening", nil, bidding.SignedRecord{}, s.openingRecord},

		// experts (issue 6) (api/experts.go): the administrator keeps the pool (masked);
		// the project's agent requests a draw; a supervisor enters the public value and,
		// as supervisor of record, alone sees the result until the award; then the proof is public.
		{http.MethodGet, "/api/v1/experts", roles(accounts.RoleAdmin), "The expert pool, masked (?after=&limit=&status=)", "experts", nil, experts.ExpertPage{}, s.listExperts},
		{http.MethodPost, "/api/v1/experts", roles(accounts.RoleAdmin), "Add an expert (ID number and phones sealed at rest)", "experts", experts.NewExpert{}, experts.Expert{}, s.createExpert},
		{http.MethodGet, "/api/v1/experts/:id", roles(accounts.RoleAdmin), "An expert with employment history and leaves, masked", "experts", nil, experts.ExpertView{}, s.getExpert},
		{http.MethodPut, "/api/v1/experts/:id", roles(accounts.RoleAdmin), "Replace an expert's details", "experts", experts.NewExpert{}, experts.Expert{}, s.updateExpert},
		{http.MethodPost, "/api/v1/experts/:id/status", roles(accounts.RoleAdmin), "Suspend, blacklist or reinstate an expert", "experts", experts.StatusChange{}, experts.Expert{}, s.setExpertStatus},
		{http.MethodPost, "/api/v1/experts/:id/leaves", roles(accounts.RoleAdmin), "Record an expert's leave", "experts", LeaveRequest{}, experts.Leave{}, s.addExpertLeave},
		{http.MethodPut, "/api/v1/experts/:id/account", roles(accounts.RoleAdmin), "Link an expert to the platform account (role expert) used in the evaluation room", "experts", AccountLinkRequest{}, experts.Expert{}, s.linkExpertAccount},
		{http.MethodPost, "/api/v1/expert-imports", roles(accounts.RoleAdmin), "Import experts from a CSV or XLSX body (?format=csv|xlsx); per-row report, re-imports add nobody", "experts", nil, experts.ImportReport{}, s.importExperts},
		{http.MethodPost, "/api/v1/sections/:id/draws", roles(accounts.RoleAgent, accounts.RoleAdmin), "Request an expert draw for an opened section (commits the candidate hash and a secret)", "experts", experts.Request{}, experts.Draw{}, s.requestDraw},
		{http.MethodGet, "/api/v1/sections/:id/draws", roles(accounts.RoleAgent, accounts.RoleAdmin, accounts.RoleSupervisor), "A section's draws: requests and commitments, never names", "experts", nil, []experts.Draw{}, s.sectionDraws},
		{http.MethodGet, "/api/v1/draws/:id", roles(accounts.RoleAgent, accounts.RoleAdmin, accounts.RoleSupervisor), "A draw's request and commitments, never names", "experts", nil, experts.Draw{}, s.getDraw},
		{http.MethodPost, "/api/v1/draws/:id/public-value", roles(accounts.RoleSupervisor), "Enter the public random value and draw (the caller becomes supervisor of record)", "experts", PublicValueRequest{}, experts.DrawResult{}, s.enterPublicValue},
		{http.MethodGet, "/api/v1/draws/:id/result", roles(accounts.RoleSupervisor, accounts.RoleAgent), "The drawn experts: supervisor of record only until the award", "experts", nil, experts.DrawResult{}, s.drawResult},
		{http.MethodGet, "/api/v1/draws/:id/exclusions", roles(accounts.RoleSupervisor), "Who was kept out of the draw and why", "experts", nil, []experts.Exclusion{}, s.drawExclusions},
		{http.MethodGet, "/api/v1/draws/:id/proof", roles(accounts.RoleSupervisor), "Export the draw proof (supervisor of record) for tenderhall verify draw", "experts", nil, experts.DrawProof{}, s.drawProof},
		{http.MethodGet, "/api/v1/public/draws/:id/proof", public, "The draw proof, once the section's result is final", "experts", nil, experts.DrawProof{}, s.drawProof},
		// The call campaign (api/campaign.go): counts for the agent, names for nobody but the supervisor of record.
		{http.MethodPost, "/api/v1/draws/:id/campaign", roles(accounts.RoleAgent, accounts.RoleAdmin), "Start calling the draw's experts in draw order (语音自动通知)", "experts", experts.CampaignRequest{}, experts.Progress{}, s.startCampaign},
		{http.MethodGet, "/api/v1/draws/:id/campaign", roles(accounts.RoleAgent, accounts.RoleAdmin, accounts.RoleSupervisor), "The campaign's progress: counts and outcomes per group, never names", "experts", nil, experts.Progress{}, s.campaignProgress},
		{http.MethodPost, "/api/v1/draws/:id/campaign/cancellations", roles(accounts.RoleSupervisor), "The supervisor of record enters an accepted expert's cancellation; the next candidate is called", "experts", CancellationRequest{}, experts.Progress{}, s.cancelAttendance},
		{http.MethodPost, "/api/v1/notify/callback", public, "A carrier's signed call or SMS report (HMAC-SHA256 over timestamp, event id and body; 5-minute window)", "experts", nil, gin.H{}, s.carrierCallback},

		// Evaluation (api/evaluation.go, api/evaluation_work.go): the scheme is the agent's while
		// a draft; the committee works only from its room's network; supervisors watch.
		{http.MethodGet, "/api/v1/sections/:id/scheme", anyone, "The section's evaluation scheme (评标办法)", "evaluation", nil, evaluation.Scheme{}, s.getScheme},
		{http.MethodPut, "/api/v1/sections/:id/scheme", roles(accounts.RoleAgent, accounts.RoleAdmin), "Keep a draft section's evaluation scheme (frozen at announcement)", "evaluation", SchemeRequest{}, evaluation.Scheme{}, s.putScheme},
		{http.MethodGet, "/api/v1/evaluation-rooms", roles(accounts.RoleAgent, accounts.RoleAdmin, accounts.RoleSupervisor), "Evaluation rooms and their networks", "evaluation", nil, []evaluation.Room{}, s.listEvalRooms},
		{http.MethodPost, "/api/v1/evaluation-rooms", roles(accounts.RoleAdmin), "Add an evaluation room", "evaluation", evaluation.NewRoom{}, evaluation.Room{}, s.createEvalRoom},
		{http.MethodPut, "/api/v1/evaluation-rooms/:id", roles(accounts.RoleAdmin), "Replace an evaluation room", "evaluation", evaluation.NewRoom{}, evaluation.Room{}, s.updateEvalRoom},
		{http.MethodPost, "/api/v1/sections/:id/evaluation", roles(accounts.RoleAgent, accounts.RoleAdmin), "Start the evaluation with a draw's committee in a room", "evaluation", evaluation.StartRequest{}, evaluation.SessionView{}, s.startEvaluation},
		{http.MethodGet, "/api/v1/sections/:id/evaluation", roles(accounts.RoleAgent, accounts.RoleAdmin, accounts.RoleSupervisor, accounts.RoleExpert), "A section's evaluation: phase, seats (names for the committee and supervisors)", "evaluation", nil, evaluation.SessionView{}, s.sectionEvaluation},
		{http.MethodGet, "/api/v1/evaluations/mine", roles(accounts.RoleExpert), "The evaluations the calling expert sits on", "evaluation", nil, []evaluation.Session{}, s.myEvaluations},
		{http.MethodGet, "/api/v1/evaluations/:id", roles(accounts.RoleAgent, accounts.RoleAdmin, accounts.RoleSupervisor, accounts.RoleExpert), "An evaluation by id", "evaluation", nil, evaluation.SessionView{}, s.getEvaluation},
		{http.MethodPost, "/api/v1/evaluations/:id/signin", roles(accounts.RoleExpert), "Sign in to the room with the SMS one-time code (room network only)", "evaluation", SignInCodeRequest{}, evaluation.SessionView{}, s.evalSignIn},
		{http.MethodPost, "/api/v1/evaluations/:id/declaration", roles(accounts.RoleExpert), "Sign the avoidance declaration (SM2); a relationship withdraws the expert", "evaluation", DeclarationRequest{}, evaluation.SessionView{}, s.evalDeclare},
		{http.MethodPost, "/api/v1/evaluations/:id/absences", roles(accounts.RoleSupervisor), "A supervisor records a member who did not come; the first reserve takes the place", "evaluation", AbsenceRequest{}, evaluation.SessionView{}, s.evalAbsence},
		{http.MethodPost, "/api/v1/evaluations/:id/votes", roles(accounts.RoleExpert), "Vote for the chair", "evaluation", VoteRequest{}, evaluation.SessionView{}, s.evalVote},
		{http.MethodGet, "/api/v1/evaluations/:id/bids/:bid/files", roles(accounts.RoleExpert), "A decrypted bid's documents (committee, room network)", "evaluation", nil, []evaluation.BidFile{}, s.evalBidFiles},
		{http.MethodGet, "/api/v1/evaluations/:id/bids/:bid/file", roles(accounts.RoleExpert), "One document of a decrypted bid (?name=)", "evaluation", nil, nil, s.evalBidFile},
		{http.MethodGet, "/api/v1/evaluations/:id/review", roles(accounts.RoleExpert, accounts.RoleSupervisor), "Review sheets: a member's own until all submitted", "evaluation", nil, []evaluation.ReviewSheet{}, s.getReviews},
		{http.MethodPut, "/api/v1/evaluations/:id/review", roles(accounts.RoleExpert), "Save (submit: true, finalise) the qualification review", "evaluation", ReviewRequest{}, evaluation.ReviewSheet{}, s.putReview},
		{http.MethodPost, "/api/v1/evaluations/:id/conclusions", roles(accounts.RoleExpert), "The chair records the conclusion on every bid", "evaluation", ConclusionsRequest{}, evaluation.SessionView{}, s.postConclusions},
		{http.MethodPost, "/api/v1/evaluations/:id/competition", roles(accounts.RoleExpert), "The chair records whether competition is effective with fewer than 3 valid bids", "evaluation", CompetitionRequest{}, evaluation.SessionView{}, s.postCompetition},
		{http.MethodGet, "/api/v1/evaluations/:id/scores", roles(accounts.RoleExpert, accounts.RoleSupervisor), "Score sheets: a member's own until all submitted", "evaluation", nil, []evaluation.ScoreSheet{}, s.getScores},
		{http.MethodPut, "/api/v1/evaluations/:id/scores", roles(accounts.RoleExpert), "Save (submit: true, finalise) the member's scores", "evaluation", ScoresRequest{}, evaluation.ScoreSheet{}, s.putScores},
		{http.MethodGet, "/api/v1/evaluations/:id/flags", roles(accounts.RoleExpert, accounts.RoleSupervisor), "Deviation flags (畸高畸低)", "evaluation", nil, []evaluation.Flag{}, s.getFlags},
		{http.MethodGet, "/api/v1/evaluations/:id/signals", roles(accounts.RoleExpert), "The section's collusion signals (围标串标), for the committee's chair in the room", "evaluation", nil, SignalsView{}, s.chairSignals},
		{http.MethodPost, "/api/v1/evaluations/:id/flags/:flag", roles(accounts.RoleExpert), "Keep or change a flagged score with a reason", "evaluation", evaluation.ResolveRequest{}, evaluation.Flag{}, s.resolveFlag},
		{http.MethodPost, "/api/v1/evaluations/:id/clarifications", roles(accounts.RoleExpert), "Ask a bidder a question through the platform (澄清)", "evaluation", evaluation.AskRequest{}, evaluation.Clarification{}, s.askBidder},
		{http.MethodGet, "/api/v1/evaluations/:id/clarifications", roles(accounts.RoleExpert, accounts.RoleSupervisor), "The committee's questions and the answers", "evaluation", nil, []evaluation.Clarification{}, s.getClarifications},
		{http.MethodGet, "/api/v1/sections/:id/evaluation-clarifications", roles(accounts.RoleBidder), "The committee's questions to the caller's organisation", "evaluation", nil, []evaluation.Clarification{}, s.myEvalClarifications},
		{http.MethodPost, "/api/v1/evaluation-clarifications/:id/answer", roles(accounts.RoleBidder), "Answer the committee's question before its deadline", "evaluation", AnswerRequest{}, evaluation.Clarification{}, s.answerEvalClarification},
		{http.MethodPost, "/api/v1/evaluations/:id/report", roles(accounts.RoleExpert), "The chair drafts the report from the data", "evaluation", nil, evaluation.SessionView{}, s.draftReport},
		{http.MethodGet, "/api/v1/evaluations/:id/report", roles(accounts.RoleAgent, accounts.RoleAdmin, accounts.RoleSupervisor, accounts.RoleExpert), "The report (?format=json|signed|pdf; the last two once final)", "evaluation", nil, evaluation.ReportDocument{}, s.getReport},
		{http.MethodPost, "/api/v1/evaluations/:id/report/signatures", roles(accounts.RoleExpert), "Sign the report (SM2 over the label and digest), or refuse with or without a reason", "evaluation", evaluation.SignRequest{}, evaluation.SessionView{}, s.signReport},

		// Award (api/award.go): publicity, objections, the award, notices, contract, complaints.
		{http.MethodPost, "/api/v1/sections/:id/candidates", roles(accounts.RoleAgent, accounts.RoleAdmin), "Publish the report's candidates for at least 3 days", "award", PublicityRequest{}, evaluation.Publicity{}, s.publishCandidates},
		{http.MethodGet, "/api/v1/public/sections/:id/candidates", public, "The published candidates (中标候选人公示)", "award", nil, evaluation.Publicity{}, s.publicCandidates},
		{http.MethodPost, "/api/v1/sections/:id/award-objections", roles(accounts.RoleBidder), "Object during the publicity (the award waits for the answer)", "award", ObjectionRequest{}, evaluation.AwardObjection{}, s.raiseAwardObjection},
		{http.MethodGet, "/api/v1/sections/:id/award-objections", roles(accounts.RoleAgent, accounts.RoleAdmin, accounts.RoleSupervisor, accounts.RoleBidder), "Publicity objections (a bidder sees its own)", "award", nil, []evaluation.AwardObjection{}, s.listAwardObjections},
		{http.MethodPost, "/api/v1/award-objections/:id/answer", roles(accounts.RoleAgent, accounts.RoleAdmin), "Answer a publicity objection", "award", AnswerRequest{}, evaluation.AwardObjection{}, s.answerAwardObjection},
		{http.MethodPost, "/api/v1/sections/:id/award", roles(accounts.RoleAgent, accounts.RoleAdmin), "Issue the award after the publicity: notices to every bidder", "award", evaluation.AwardRequest{}, evaluation.Award{}, s.issueAward},
		{http.MethodGet, "/api/v1/public/sections/:id/result", public, "The award and its result announcement (中标结果公告)", "award", nil, evaluation.Award{}, s.publicResult},
		{http.MethodGet, "/api/v1/sections/:id/notices", roles(accounts.RoleAgent, accounts.RoleAdmin, accounts.RoleSupervisor, accounts.RoleBidder), "Signed award and result notices (a bidder sees its own)", "award", nil, []evaluation.SignedNotice{}, s.listNotices},
		{http.MethodGet, "/api/v1/notices/:id/pdf", roles(accounts.RoleAgent, accounts.RoleAdmin, accounts.RoleSupervisor, accounts.RoleBidder), "A notice as PDF", "award", nil, nil, s.noticePDF},
		{http.MethodPost, "/api/v1/sections/:id/contract", roles(accounts.RoleAgent, accounts.RoleAdmin), "Record the signed contract", "award", evaluation.ContractRequest{}, evaluation.Award{}, s.recordContract},
		{http.MethodGet, "/api/v1/sections/:id/complaint-options", roles(accounts.RoleBidder), "Your objections on the section, each with its complaint window", "complaints", nil, []supervision.ComplaintOption{}, s.complaintOptions},
		{http.MethodPost, "/api/v1/sections/:id/complaints", roles(accounts.RoleBidder), "Complain to the supervising department (投诉) after an objection", "complaints", supervision.ComplaintRequest{}, supervision.Complaint{}, s.fileComplaint},
		{http.MethodGet, "/api/v1/complaints", roles(accounts.RoleSupervisor, accounts.RoleBidder), "Complaints: the department's to its supervisors, a bidder's own", "complaints", nil, []supervision.Complaint{}, s.listComplaints},
		{http.MethodPost, "/api/v1/complaints/:id/accept", roles(accounts.RoleSupervisor), "Accept a complaint (受理), optionally suspending the procedure (暂停)", "complaints", supervision.AcceptRequest{}, supervision.Complaint{}, s.acceptComplaint},
		{http.MethodPost, "/api/v1/complaints/:id/refuse", roles(accounts.RoleSupervisor), "Refuse a complaint (不予受理) with the reason", "complaints", ReasonRequest{}, supervision.Complaint{}, s.refuseComplaint},
		{http.MethodPost, "/api/v1/complaints/:id/decide", roles(accounts.RoleSupervisor), "Decide an accepted complaint; the decision is published", "complaints", supervision.DecideRequest{}, supervision.Complaint{}, s.decideComplaint},
		{http.MethodGet, "/api/v1/public/complaint-decisions", public, "Complaint decisions (投诉处理决定), published", "complaints", nil, []supervision.PublicDecision{}, s.publicDecisions},

		// Approval (行政审批, api/approval.go): public guides; the administrator keeps the
		// catalogue; approval.Service narrows case routes to the applicant, the officers of
		// the case's department, supervisors and administrators (404 for anyone else).
		{http.MethodGet, "/api/v1/public/approval/items", public, "Search the approval guides (办事指南) (?q=)", "approval", nil, []ItemGuide{}, s.publicItems},
		{http.MethodGet, "/api/v1/public/approval/items/:code", public, "One item's guide: basis, conditions, materials, fee, limits, steps, FAQs, window", "approval", nil, ItemGuide{}, s.publicItem},
		{http.MethodPost, "/api/v1/approval/items", roles(accounts.RoleAdmin), "Save an item as its next version (cases keep theirs)", "approval", approval.Item{}, approval.Item{}, s.saveItem},
		{http.MethodPost, "/api/v1/approval/item-imports", roles(accounts.RoleAdmin), "Import the catalogue from an XLSX body: every row saved as its item's next version, or none and every bad cell by row", "approval", nil, approval.ImportReport{}, s.importItems},
		{http.MethodPost, "/api/v1/approval/items/:code/retire", roles(accounts.RoleAdmin), "Retire an item: no new applications", "approval", nil, approval.Item{}, s.retireItem},
		{http.MethodPost, "/api/v1/approval/cases", roles(accounts.RoleApplicant), "Apply: a draft case, pre-filled from the applicant's library", "approval", approval.Application{}, approval.Case{}, s.applyCase},
		{http.MethodGet, "/api/v1/approval/cases", roles(accounts.RoleApplicant, accounts.RoleOfficer, accounts.RoleSupervisor, accounts.RoleAdmin), "Cases the caller may see, soonest due first (?state=)", "approval", nil, []approval.Case{}, s.listCases},
		{http.MethodGet, "/api/v1/approval/cases/:id", roles(accounts.RoleApplicant, accounts.RoleOfficer, accounts.RoleSupervisor, accounts.RoleAdmin), "A case with its working days left", "approval", nil, approval.Case{}, s.getCase},
		{http.MethodPut, "/api/v1/approval/cases/:id/materials/:material", roles(accounts.RoleApplicant), "Stream one material's file (raw body, ?name=), SM3-hashed on the way", "approval", nil, approval.CaseMaterial{}, s.putMaterial},
		{http.MethodGet, "/api/v1/approval/cases/:id/materials", roles(accounts.RoleApplicant, accounts.RoleOfficer, accounts.RoleSupervisor, accounts.RoleAdmin), "The files given on a case (a sub-case shows its joint file's)", "approval", nil, []approval.CaseMaterial{}, s.caseMaterials},
		{http.MethodGet, "/api/v1/approval/cases/:id/materials/:material", roles(accounts.RoleApplicant, accounts.RoleOfficer, accounts.RoleSupervisor, accounts.RoleAdmin), "Download a material's file (SM3 digest in X-Content-SM3)", "approval", nil, nil, s.downloadMaterial},
		{http.MethodPost, "/api/v1/approval/cases/:id/submit", roles(accounts.RoleApplicant), "Hand a draft, or the missing materials, to the window", "approval", nil, approval.Case{}, s.submitCase},
		{http.MethodPost, "/api/v1/approval/cases/:id/withdraw", roles(accounts.RoleApplicant), "Withdraw a case not yet decided (撤回)", "approval", nil, approval.Case{}, s.withdrawCase},
		{http.MethodPost, "/api/v1/approval/cases/:id/accept", roles(accounts.RoleOfficer), "Accept (受理): the clock starts, the promised date is set", "approval", nil, approval.Case{}, s.acceptCase},
		{http.MethodPost, "/api/v1/approval/cases/:id/refuse", roles(accounts.RoleOfficer), "Refuse with a reason (不予受理)", "approval", ReasonRequest{}, approval.Case{}, s.refuseCase},
		{http.MethodPost, "/api/v1/approval/cases/:id/missing-materials", roles(accounts.RoleOfficer), "Ask once for every missing material (一次性告知)", "approval", MissingRequest{}, approval.Case{}, s.requestMissing},
		{http.MethodPost, "/api/v1/approval/cases/:id/suspensions", roles(accounts.RoleOfficer), "Suspend the clock (听证, 现场勘查, 专家评审, 补正) with a reason", "approval", SuspendRequest{}, approval.Case{}, s.suspendCase},
		{http.MethodGet, "/api/v1/approval/cases/:id/suspensions", roles(accounts.RoleApplicant, accounts.RoleOfficer, accounts.RoleSupervisor, accounts.RoleAdmin), "A case's suspensions", "approval", nil, []approval.Suspension{}, s.caseSuspensions},
		{http.MethodPost, "/api/v1/approval/cases/:id/resume", roles(accounts.RoleOfficer), "Resume a suspended case: the due date moves by the days stopped", "approval", nil, approval.Case{}, s.resumeCase},
		{http.MethodPost, "/api/v1/approval/cases/:id/decision", roles(accounts.RoleOfficer), "Decide: approve, or deny with reasons", "approval", CaseDecisionRequest{}, approval.Case{}, s.decideCase},
		{http.MethodPost, "/api/v1/approval/cases/:id/finish", roles(accounts.RoleOfficer), "Close a decided case (办结)", "approval", nil, approval.Case{}, s.finishCase},
		{http.MethodGet, "/api/v1/approval/cases/:id/joint", roles(accounts.RoleApplicant, accounts.RoleOfficer, accounts.RoleSupervisor, accounts.RoleAdmin), "A joint file (并联审批) with its sub-cases, the slowest, and the departments' comments", "approval", nil, approval.JointView{}, s.jointCase},
		{http.MethodPost, "/api/v1/approval/cases/:id/comments", roles(accounts.RoleOfficer), "Comment on a joint file as one of its departments (网上会商)", "approval", CommentRequest{}, approval.Comment{}, s.commentJoint},
		{http.MethodPost, "/api/v1/approval/cases/:id/rating", roles(accounts.RoleApplicant, accounts.RoleOfficer), "Rate a finished case once (一件一评; an officer only as the window's pad); a bad rating opens a call-back and a rectification", "approval", approval.RatingInput{}, approval.Rating{}, s.rateCase},
		{http.MethodGet, "/api/v1/approval/cases/:id/rating", roles(accounts.RoleApplicant, accounts.RoleOfficer, accounts.RoleSupervisor, accounts.RoleAdmin), "A case's rating and the tasks it opened", "approval", nil, approval.Rating{}, s.caseRating},
		{http.MethodPost, "/api/v1/approval/cases/:id/certificate", roles(accounts.RoleOfficer), "Issue an approved case's electronic certificate (电子证照), signed with the department's SM2 key", "approval", approval.IssueInput{}, approval.Certificate{}, s.issueCertificate},
		{http.MethodGet, "/api/v1/approval/cases/:id/certificate", roles(accounts.RoleApplicant, accounts.RoleOfficer, accounts.RoleSupervisor, accounts.RoleAdmin), "A case's certificate and its status", "approval", nil, approval.Certificate{}, s.caseCertificate},
		{http.MethodGet, "/api/v1/approval/cases/:id/certificate/pdf", roles(accounts.RoleApplicant, accounts.RoleOfficer, accounts.RoleSupervisor, accounts.RoleAdmin), "Download the signed certificate PDF (SM3 in X-Content-SM3; verify with tenderhall verify certificate)", "approval", nil, nil, s.certificatePDF},
		{http.MethodPost, "/api/v1/approval/certificates/:no/revoke", roles(accounts.RoleOfficer), "Revoke a certificate of the officer's department with a reason (吊销)", "approval", ReasonRequest{}, approval.Certificate{}, s.revokeCertificate},
		{http.MethodGet, "/api/v1/public/approval/certificates/:no", public, "Verify a certificate by number (the QR code's target): holder, scope, validity, valid/revoked/expired, the genuine PDF's SM3", "approval", nil, approval.Certificate{}, s.certificateStatus},
		{http.MethodGet, "/api/v1/public/approval/departments/:id/certificate-key", public, "The SM2 public key a department signs certificates with", "approval", nil, DepartmentKey{}, s.departmentKey},
		{http.MethodGet, "/api/v1/approval/library", roles(accounts.RoleApplicant), "The caller's licence and materials library (电子证照库, 要件库)", "approval", nil, []approval.LibraryEntry{}, s.myLibrary},
		{http.MethodGet, "/api/v1/approval/tasks", roles(accounts.RoleOfficer, accounts.RoleSupervisor, accounts.RoleAdmin), "Call-back and rectification tasks (the officer's department's), soonest due first (?state=)", "approval", nil, []approval.Task{}, s.listTasks},
		{http.MethodPost, "/api/v1/approval/tasks/:id/close", roles(accounts.RoleOfficer), "Close a task with what was done", "approval", NoteRequest{}, approval.Task{}, s.closeTask},

		// Supervision (电子监察, api/supervision.go): supervisors see their departments' lights,
		// trajectories and warnings; the warned office answers; supervision.Service checks who.
		{http.MethodGet, "/api/v1/supervision/rules", roles(accounts.RoleSupervisor, accounts.RoleAdmin), "The supervision rules in force: ids, legal basis, limits, light thresholds", "supervision", nil, SupervisionRules{}, s.supervisionRules},
		{http.MethodGet, "/api/v1/supervision/board/stream", roles(accounts.RoleSupervisor), "The lights board's changes as server-sent events (event: changed)", "supervision", nil, nil, s.supervisionBoardStream},

		// Video index (issue 17): cameras, ingest from encoders (token in X-Camera-Token), the index.
		{http.MethodPost, "/api/v1/video/cameras", roles(accounts.RoleAdmin), "Register a camera in a room; its ingest token is shown once", "video", video.CameraRequest{}, video.Credential{}, s.registerCamera},
		{http.MethodGet, "/api/v1/video/cameras", roles(accounts.RoleAdmin, accounts.RoleSupervisor), "Every camera by room, with its last segment", "video", nil, []video.Camera{}, s.listCameras},
		{http.MethodPost, "/api/v1/video/cameras/:id/token", roles(accounts.RoleAdmin), "Rotate a camera's ingest token (the old one stops working)", "video", nil, video.Credential{}, s.rotateCameraToken},
		{http.MethodPut, "/api/v1/video/ingest/:file", public, "An encoder uploads a segment (streamed, SM3-hashed) or its playlist (logs the segments it names); camera token in X-Camera-Token; a spooling recorder declares its clock on playlists in X-Camera-Clock (Unix ms)", "video", nil, video.IndexResult{}, s.ingest},
		{http.MethodGet, "/api/v1/video/cameras/:id/window", roles(accounts.RoleSupervisor, accounts.RoleAdmin), "A camera's recording around a moment (?at= Unix ms): segments and the offset to seek to, or ?format=m3u8 for the player", "video", nil, video.Window{}, s.videoWindow},
		{http.MethodGet, "/api/v1/video/cameras/:id/segments/:seq", roles(accounts.RoleSupervisor, accounts.RoleAdmin), "One recorded segment (SM3 digest in X-Content-SM3)", "video", nil, nil, s.videoSegment},
		{http.MethodGet, "/api/v1/video/cameras/:id/gaps", roles(accounts.RoleSupervisor, accounts.RoleAdmin), "A camera's coverage gaps (no video for over 10 s) with their intervals; an open one has no end", "video", nil, []video.Gap{}, s.videoGaps},
		{http.MethodGet, "/api/v1/supervision/board", roles(accounts.RoleSupervisor), "The lights board: open cases and sections with their time-limit lights (?kind=&light=)", "supervision", nil, []supervision.Subject{}, s.supervisionBoard},
		{http.MethodGet, "/api/v1/supervision/trajectories/:kind/:id", roles(accounts.RoleSupervisor), "A case's or section's trajectory from the event log: every step, each time limit against what it allowed, its warnings", "supervision", nil, supervision.Trajectory{}, s.trajectory},
		{http.MethodGet, "/api/v1/supervision/warnings", roles(accounts.RoleSupervisor, accounts.RoleOfficer, accounts.RoleAgent), "Warnings (预警): a supervisor's departments', or those to the caller's office (?state=&subject=)", "supervision", nil, []supervision.Warning{}, s.supervisionWarnings},
		{http.MethodPost, "/api/v1/supervision/warnings/:id/answer", roles(accounts.RoleOfficer, accounts.RoleAgent), "The warned office explains or corrects (纠错)", "supervision", WarningAnswer{}, supervision.Warning{}, s.answerWarning},
		{http.MethodGet, "/api/v1/supervision/efficiency", roles(accounts.RoleSupervisor, accounts.RoleAdmin), "The efficiency index (效能指数) of every approval department for a month or quarter (?period=2026-11 or 2026-Q4): parts, score, rank, grade", "supervision", nil, EfficiencyView{}, s.efficiency},
		{http.MethodGet, "/api/v1/public/efficiency", public, "The published efficiency ranking of an ended month or quarter (?period=), for public scrutiny", "supervision", nil, EfficiencyView{}, s.publicEfficiency},
		{http.MethodPost, "/api/v1/supervision/warnings/:id/review", roles(accounts.RoleSupervisor), "Accept an answer (the light may turn green) or reject it with a note", "supervision", WarningReview{}, supervision.Warning{}, s.reviewWarning},

		// Audit trail.
		{http.MethodGet, "/api/v1/audit/events", roles(accounts.RoleAdmin, accounts.RoleSupervisor), "Read the event log by sequence", "audit", nil, EventPage{}, s.auditEvents},
	}
}

"""One small function per Amplify operation: read the validated input, call the backend,
shape the output. Routing, validation and (de)serialization live in ``_protocol``."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

from . import _clock, _content
from .jobs import Stamp, job_output
from .models import AmplifyBackend

Params = Dict[str, Any]
Operation = Callable[[AmplifyBackend, Params], Dict[str, Any]]
StampedOperation = Callable[[AmplifyBackend, Params, Optional[Stamp]], Dict[str, Any]]

OPERATIONS: Dict[str, Operation] = {}
# The job operations also build their reply parsed: given botocore's timestamp parser as
# ``stamp``, what they return is what botocore's rest-json parser would make of the JSON they
# return without it (members in the model's order, datetimes for timestamps), built once.
PARSED: Dict[str, StampedOperation] = {}


def operation(name: str) -> Callable[[Operation], Operation]:
    def register(func: Operation) -> Operation:
        OPERATIONS[name] = func
        return func

    return register


def stamped(name: str) -> Callable[[StampedOperation], StampedOperation]:
    def register(func: StampedOperation) -> StampedOperation:
        OPERATIONS[name] = lambda backend, params: func(backend, params, None)
        PARSED[name] = func
        return func

    return register


def _page(key: str, entries: List[Any], token: Optional[str]) -> Dict[str, Any]:
    """A List operation's reply: its entries, and ``nextToken`` when there are more."""
    result: Dict[str, Any] = {key: entries}
    if token:
        result["nextToken"] = token
    return result


@operation("CreateApp")
def create_app(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    return {"app": backend.create_app(params).to_dict()}


@operation("GetApp")
def get_app(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    return {"app": backend.get_app(params["appId"]).to_dict()}


@operation("ListApps")
def list_apps(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    apps, token = backend.list_apps(params.get("nextToken"), params.get("maxResults"))
    return _page("apps", [app.to_dict() for app in apps], token)


@operation("UpdateApp")
def update_app(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    app_id = params.pop("appId")
    return {"app": backend.update_app(app_id, params).to_dict()}


@operation("DeleteApp")
def delete_app(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    return {"app": backend.delete_app(params["appId"]).to_dict()}


@operation("CreateBranch")
def create_branch(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    app_id = params.pop("appId")
    name = params.pop("branchName")
    return {"branch": backend.create_branch(app_id, name, params).to_dict()}


@operation("GetBranch")
def get_branch(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    return {"branch": backend.get_branch(params["appId"], params["branchName"]).to_dict()}


@operation("ListBranches")
def list_branches(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    branches, token = backend.list_branches(
        params["appId"], params.get("nextToken"), params.get("maxResults")
    )
    return _page("branches", [branch.to_dict() for branch in branches], token)


@operation("UpdateBranch")
def update_branch(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    app_id = params.pop("appId")
    name = params.pop("branchName")
    return {"branch": backend.update_branch(app_id, name, params).to_dict()}


@operation("DeleteBranch")
def delete_branch(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    return {"branch": backend.delete_branch(params["appId"], params["branchName"]).to_dict()}


@operation("TagResource")
def tag_resource(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    backend.tag_resource(params["resourceArn"], params["tags"])
    return {}


@operation("UntagResource")
def untag_resource(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    backend.untag_resource(params["resourceArn"], params["tagKeys"])
    return {}


@operation("ListTagsForResource")
def list_tags_for_resource(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    return {"tags": backend.list_tags_for_resource(params["resourceArn"])}


@stamped("StartJob")
def start_job(backend: AmplifyBackend, params: Params, stamp: Optional[Stamp]) -> Dict[str, Any]:
    app_id = params.pop("appId")
    name = params.pop("branchName")
    job = backend.start_job(app_id, name, params)
    return {"jobSummary": job.summary(job.view(backend.scheduler.now, steps=False), stamp)}


@stamped("GetJob")
def get_job(backend: AmplifyBackend, params: Params, stamp: Optional[Stamp]) -> Dict[str, Any]:
    job, job_view = backend.get_job(params["appId"], params["branchName"], params["jobId"])
    base = _content.artifacts_base(backend, job) if job_view.steps else ""
    return {"job": job_output(job, job_view, base, stamp)}


@stamped("ListJobs")
def list_jobs(backend: AmplifyBackend, params: Params, stamp: Optional[Stamp]) -> Dict[str, Any]:
    jobs, token = backend.list_jobs(
        params["appId"], params["branchName"], params.get("nextToken"), params.get("maxResults")
    )
    return _page("jobSummaries", [job.summary(job_view, stamp) for job, job_view in jobs], token)


@stamped("StopJob")
def stop_job(backend: AmplifyBackend, params: Params, stamp: Optional[Stamp]) -> Dict[str, Any]:
    job, job_view = backend.stop_job(params["appId"], params["branchName"], params["jobId"])
    return {"jobSummary": job.summary(job_view, stamp)}


@stamped("DeleteJob")
def delete_job(backend: AmplifyBackend, params: Params, stamp: Optional[Stamp]) -> Dict[str, Any]:
    job, job_view = backend.delete_job(params["appId"], params["branchName"], params["jobId"])
    return {"jobSummary": job.summary(job_view, stamp)}


@operation("CreateDeployment")
def create_deployment(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    app_id = params.pop("appId")
    name = params.pop("branchName")
    job = backend.create_deployment(app_id, name, params)
    zip_url, file_urls = _content.upload_urls(backend, job, job.file_names)
    job.upload_source = zip_url
    return {"jobId": str(job.job_id), "fileUploadUrls": file_urls, "zipUploadUrl": zip_url}


@stamped("StartDeployment")
def start_deployment(backend: AmplifyBackend, params: Params, stamp: Optional[Stamp]) -> Dict[str, Any]:
    app_id = params.pop("appId")
    name = params.pop("branchName")
    job, job_view = backend.start_deployment(app_id, name, params)
    return {"jobSummary": job.summary(job_view, stamp)}


@operation("CreateDomainAssociation")
def create_domain_association(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    association = backend.create_domain_association(params.pop("appId"), params)
    return {"domainAssociation": association.to_dict(_clock.now())}


@operation("GetDomainAssociation")
def get_domain_association(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    association = backend.get_domain_association(params["appId"], params["domainName"])
    return {"domainAssociation": association.to_dict(_clock.now())}


@operation("UpdateDomainAssociation")
def update_domain_association(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    app_id, domain_name = params.pop("appId"), params.pop("domainName")
    association = backend.update_domain_association(app_id, domain_name, params)
    return {"domainAssociation": association.to_dict(_clock.now())}


@operation("DeleteDomainAssociation")
def delete_domain_association(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    association = backend.delete_domain_association(params["appId"], params["domainName"])
    return {"domainAssociation": association.to_dict(_clock.now())}


@operation("ListDomainAssociations")
def list_domain_associations(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    associations, token = backend.list_domain_associations(
        params["appId"], params.get("nextToken"), params.get("maxResults")
    )
    now = _clock.now()
    return _page("domainAssociations", [a.to_dict(now) for a in associations], token)


@operation("GenerateAccessLogs")
def generate_access_logs(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    app_id = params["appId"]
    domain, start, end = backend.generate_access_logs(
        app_id, params["domainName"], params.get("startTime"), params.get("endTime")
    )
    return {"logUrl": _content.access_log_url(backend, app_id, domain, start, end)}


@operation("CreateBackendEnvironment")
def create_backend_environment(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    environment = backend.create_backend_environment(params.pop("appId"), params)
    return {"backendEnvironment": environment.to_dict()}


@operation("GetBackendEnvironment")
def get_backend_environment(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    environment = backend.get_backend_environment(params["appId"], params["environmentName"])
    return {"backendEnvironment": environment.to_dict()}


@operation("DeleteBackendEnvironment")
def delete_backend_environment(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    environment = backend.delete_backend_environment(params["appId"], params["environmentName"])
    return {"backendEnvironment": environment.to_dict()}


@operation("ListBackendEnvironments")
def list_backend_environments(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    environments, token = backend.list_backend_environments(
        params["appId"], params.get("environmentName"), params.get("nextToken"), params.get("maxResults")
    )
    return _page("backendEnvironments", [e.to_dict() for e in environments], token)


def _webhook(webhook: Any) -> Dict[str, Any]:
    # The URL points at the mock itself (see _content.webhook_reply): the server answering this
    # call, else the in-process loopback listener.
    return {"webhook": webhook.to_dict(_content.origin())}


@operation("CreateWebhook")
def create_webhook(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    return _webhook(
        backend.create_webhook(params["appId"], params["branchName"], params.get("description"))
    )


@operation("GetWebhook")
def get_webhook(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    return _webhook(backend.get_webhook(params["webhookId"]))


@operation("UpdateWebhook")
def update_webhook(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    return _webhook(
        backend.update_webhook(params["webhookId"], params.get("branchName"), params.get("description"))
    )


@operation("DeleteWebhook")
def delete_webhook(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    return _webhook(backend.delete_webhook(params["webhookId"]))


@operation("ListWebhooks")
def list_webhooks(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    webhooks, token = backend.list_webhooks(
        params["appId"], params.get("nextToken"), params.get("maxResults")
    )
    origin = _content.origin()
    return _page("webhooks", [webhook.to_dict(origin) for webhook in webhooks], token)


@operation("ListArtifacts")
def list_artifacts(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    artifacts, token = backend.list_artifacts(
        params["appId"], params["branchName"], params["jobId"],
        params.get("nextToken"), params.get("maxResults"),
    )
    entries = [{"artifactFileName": name, "artifactId": id_} for name, id_ in artifacts]
    return _page("artifacts", entries, token)


@operation("GetArtifactUrl")
def get_artifact_url(backend: AmplifyBackend, params: Params) -> Dict[str, Any]:
    artifact_id = params["artifactId"]
    backend.get_artifact(artifact_id)
    return {"artifactId": artifact_id, "artifactUrl": _content.artifact_url(backend, artifact_id)}

"""The deployments' typed parameters: a real form (fields, bounds, help) whose blank fields are not given, so
a preset is applied exactly as the CLI applies it, and mistakes are refused before a run exists."""

from __future__ import annotations

import pytest
from prefect.utilities.callables import parameter_schema

from conductor.config import RunConfig, load_run_config
from conductor.errors import ConfigError
from conductor_flows.campaign import campaign_flow
from conductor_flows.deployments import NAMES
from conductor_flows.parameters import RunParameters, as_parameters, to_run_config


def test_the_campaign_form_has_every_run_config_field_with_help_and_bounds():
    schema = parameter_schema(campaign_flow.fn).model_dump_for_openapi()
    defs = schema["definitions"]
    config_ref = schema["properties"]["config"]["$ref"].rsplit("/", 1)[-1]
    top = defs[config_ref]["properties"]
    assert set(top) == set(RunConfig.model_fields)
    assert top["preset"]["enum"] == ["tiny-cpu", "paper-7b", None]
    rollout = defs["RolloutConfigParameters"]["properties"]
    group = rollout["group_size"]
    assert "GRPO group" in group["description"] and "else 8" in group["description"]
    assert {"minimum": 2, "type": "integer"} in group["anyOf"]
    assert defs[config_ref]["additionalProperties"] is False  # the server refuses a misspelt field
    for fl in NAMES.values():  # every deployment's parameters are typed and described
        props = parameter_schema(fl.fn).model_dump_for_openapi()["properties"]
        assert all(p.get("description") or p.get("$ref") or p.get("allOf") for p in props.values()), fl.name


def test_a_preset_is_laid_under_what_is_filled_in_as_on_the_command_line():
    form = RunParameters.model_validate({"preset": "paper-7b", "rollout": {"max_steps": 3}})
    assert to_run_config(form) == load_run_config(None, ["preset=paper-7b", "rollout.max_steps=3"])
    cfg = to_run_config({"preset": "paper-7b"})  # was silently ignored: the run trained the tiny recipe
    assert (cfg.policy.base_model, cfg.rollout.group_size, cfg.tiny) == ("Qwen/Qwen2.5-7B-Instruct", 64, None)
    assert to_run_config(RunParameters()) == RunConfig()  # a blank form is the defaults


@pytest.mark.parametrize("preset", [None, "paper-7b"])
def test_a_resolved_config_passes_through_the_parameters_unchanged(preset):
    cfg = RunConfig(preset=preset, seed=4, faults={"timeout": 0.1})
    assert to_run_config(as_parameters(cfg)) == cfg


def test_mistakes_are_one_line_errors_before_a_run():
    with pytest.raises(ConfigError, match="rollout.group_sise"):
        to_run_config({"rollout": {"group_sise": 3}})
    with pytest.raises(ConfigError, match="rollout.group_size"):
        as_parameters({"rollout": {"group_size": 1}})
    with pytest.raises(ConfigError, match="unknown preset 'huge'"):
        to_run_config({"preset": "huge"})


def test_the_served_deployments_carry_typed_forms_and_the_retrain_schedule():
    from conductor_flows.deployments import served

    deployments = {d.name: d for d in served("0 3 * * *", "latest:nightly")}
    assert set(deployments) == {"campaign", "retrain", "evaluate", "prepare"}
    retrain = deployments["retrain"]
    assert retrain.parameters == {"start": "latest:nightly"}
    assert [s.schedule.cron for s in retrain.schedules] == ["0 3 * * *"]
    assert not deployments["campaign"].schedules
    schema = deployments["campaign"]._parameter_openapi_schema.model_dump_for_openapi()
    assert "RolloutConfigParameters" in schema["definitions"]

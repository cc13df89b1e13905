{#- Generic test: the total of `column_name` in the model equals the total of `compare_column` in
    `compare_model`, within `tolerance`, for each group of `group_by`. `compare_group_by` (default:
    `group_by`) is the part of the grouping the compared model has; when it is empty, every group of
    the model is compared with the compared model's grand total (e.g. each attribution model's spend
    with the ad platforms' spend). `compare_where` filters the compared model (the test's own `where`
    config filters the model). A group missing on
    one side counts as 0, so it fails when the other side has a non-zero total. -#}
{% test totals_match(model, column_name, compare_model, compare_column, group_by=[], compare_group_by=none,
                     compare_where=none, tolerance=0.01) %}
{%- set compare_group_by = group_by if compare_group_by is none else compare_group_by -%}

with

ours as (
    select
        {% for column in group_by %}{{ column }}, {% endfor %}
        sum({{ column_name }}) as total
    from {{ model }}
    {% if group_by %}group by {{ group_by | join(', ') }}{% endif %}
),

theirs as (
    select
        {% for column in compare_group_by %}{{ column }}, {% endfor %}
        sum({{ compare_column }}) as total
    from {{ compare_model }}
    {% if compare_where %}where {{ compare_where }}{% endif %}
    {% if compare_group_by %}group by {{ compare_group_by | join(', ') }}{% endif %}
),

compared as (
    select
        {% for column in group_by %}
        {%- if column in compare_group_by -%}
        coalesce(ours.{{ column }}, theirs.{{ column }}) as {{ column }},
        {%- else -%}
        ours.{{ column }},
        {%- endif %}
        {% endfor %}
        coalesce(ours.total, 0) as model_total,
        coalesce(theirs.total, 0) as compare_total
    from ours
    full outer join theirs
        on {% for column in compare_group_by %}ours.{{ column }} = theirs.{{ column }}{% if not loop.last %} and {% endif %}{% else %}1 = 1{% endfor %}
)

select *
from compared
where abs(model_total - compare_total) > {{ tolerance }}
{% endtest %}
